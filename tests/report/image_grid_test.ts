import assert from "node:assert/strict";
import { imageAt, imageGridBundle, imageGridPng } from "../../lib/report/image_grid.ts";
import { InputError } from "../../lib/errors.ts";
import { decodePng } from "./_png_decode.ts";

function digit(value: number): Uint8Array {
  return new Uint8Array(28 * 28).fill(value);
}

Deno.test("imageGridPng lays out images with the requested scale and columns", () => {
  const png = imageGridPng([digit(10), digit(200), digit(90)], { columns: 2, scale: 2 });
  const { width, height, pixels } = decodePng(png);
  // border = 1, cell = 56 + 2, gap 2: width = 2 * 58 + 3 * 2, height = 2 * 58 + 3 * 2.
  assert.equal(width, 2 * 58 + 3 * 2);
  assert.equal(height, 2 * 58 + 3 * 2);
  const at = (x: number, y: number) => pixels[(y * width + x) * 3];
  // Inside image 0 (top left), image 1 (top right), image 2 (second row).
  assert.equal(at(2 + 1 + 10, 2 + 1 + 10), 10);
  assert.equal(at(2 + 58 + 2 + 1 + 10, 2 + 1 + 10), 200);
  assert.equal(at(2 + 1 + 10, 2 + 58 + 2 + 1 + 10), 90);
  // The empty fourth slot stays white.
  assert.equal(at(2 + 58 + 2 + 20, 2 + 58 + 2 + 20), 255);
});

Deno.test("imageGridPng draws captions and coloured borders", () => {
  const plain = decodePng(imageGridPng([digit(0)], { scale: 2, captions: [""] }));
  const captioned = decodePng(imageGridPng([digit(0)], { scale: 2, captions: ["q 7"] }));
  assert.equal(plain.height, captioned.height);
  assert.notDeepEqual(plain.pixels, captioned.pixels);
  const bordered = decodePng(imageGridPng([digit(0)], { scale: 2, borders: ["#ff0000"] }));
  assert.deepEqual([
    ...bordered.pixels.subarray((2 * bordered.width + 2) * 3, (2 * bordered.width + 2) * 3 + 3),
  ], [255, 0, 0]);
});

Deno.test("imageGridPng validates its input", () => {
  assert.throws(() => imageGridPng([]), InputError);
  assert.throws(() => imageGridPng([new Uint8Array(10)]), InputError);
  assert.throws(() => imageGridPng([digit(1)], { borders: ["red"] }), InputError);
});

Deno.test("imageAt and imageGridBundle", () => {
  const set = { count: 2, rows: 28, cols: 28, pixels: new Uint8Array(2 * 784).fill(5, 784) };
  assert.equal(imageAt(set, 1)[0], 5);
  assert.throws(() => imageAt(set, 2), InputError);
  const bundle = imageGridBundle([imageAt(set, 0), imageAt(set, 1)], { captions: ["a", "b"] });
  assert.equal(atob(bundle["image/png"] as string).charCodeAt(1), "P".charCodeAt(0));
  assert.equal(bundle["text/plain"], "[grid of 2 images: a, b]");
  const many = Array.from({ length: 12 }, () => imageAt(set, 0));
  const captions = many.map((_, i) => `c${i}`);
  assert.equal(
    imageGridBundle(many, { captions })["text/plain"],
    "[grid of 12 images: c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, …]",
    "a cut list says so",
  );
  assert.equal(
    imageGridBundle(many.slice(0, 10), { captions: captions.slice(0, 10) })["text/plain"],
    "[grid of 10 images: c0, c1, c2, c3, c4, c5, c6, c7, c8, c9]",
  );
  assert.equal(imageGridBundle(many)["text/plain"], "[grid of 12 images]");
});
