import assert from "node:assert/strict";
import { encodePng } from "../../lib/report/png.ts";
import { decodePng } from "./_png_decode.ts";
import { InputError } from "../../lib/errors.ts";

Deno.test("encodePng round-trips grayscale, RGB and RGBA pixels", () => {
  const gray = Uint8Array.from({ length: 28 * 28 }, (_, i) => (i * 7) % 256);
  const decoded = decodePng(encodePng({ width: 28, height: 28, channels: 1, pixels: gray }));
  assert.deepEqual([decoded.width, decoded.height, decoded.colourType], [28, 28, 0]);
  assert.deepEqual(decoded.pixels, gray);
  const rgb = Uint8Array.from({ length: 3 * 5 * 3 }, (_, i) => 255 - i);
  const decodedRgb = decodePng(encodePng({ width: 3, height: 5, channels: 3, pixels: rgb }));
  assert.equal(decodedRgb.colourType, 2);
  assert.deepEqual(decodedRgb.pixels, rgb);
  const rgba = Uint8Array.from({ length: 4 * 7 * 2 }, (_, i) => (i * 31) % 256);
  const decodedRgba = decodePng(encodePng({ width: 7, height: 2, channels: 4, pixels: rgba }));
  assert.equal(decodedRgba.colourType, 6);
  assert.deepEqual(decodedRgba.pixels, rgba);
});

Deno.test("encodePng rejects inconsistent sizes", () => {
  assert.throws(() => encodePng({ width: 2, height: 2, channels: 1, pixels: new Uint8Array(3) }), InputError);
  assert.throws(() => encodePng({ width: 0, height: 2, channels: 1, pixels: new Uint8Array(0) }), InputError);
});
