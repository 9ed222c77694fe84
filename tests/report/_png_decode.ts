/** A minimal PNG reader for tests: checks the signature and every chunk's CRC, undoes all five filters. */
import assert from "node:assert/strict";
import { crc32, inflateSync } from "node:zlib";

/** The 8-byte PNG file signature. */
const PNG_SIGNATURE = Uint8Array.of(137, 80, 78, 71, 13, 10, 26, 10);

/** A decoded 8-bit PNG. */
export interface DecodedPng {
  /** Width. */
  width: number;
  /** Height. */
  height: number;
  /** PNG colour type (0 gray, 2 RGB, 6 RGBA). */
  colourType: number;
  /** Unfiltered pixels, row-major. */
  pixels: Uint8Array;
}

/** Decodes an 8-bit, non-interlaced PNG (gray, RGB or RGBA). */
export function decodePng(bytes: Uint8Array): DecodedPng {
  assert.deepEqual(bytes.subarray(0, 8), PNG_SIGNATURE);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 8;
  let width = 0, height = 0, colourType = -1;
  const idat: Uint8Array[] = [];
  const types: string[] = [];
  while (offset < bytes.length) {
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    types.push(type);
    const data = bytes.subarray(offset + 8, offset + 8 + length);
    assert.equal(
      view.getUint32(offset + 8 + length),
      crc32(bytes.subarray(offset + 4, offset + 8 + length)),
      `CRC of ${type}`,
    );
    if (type === "IHDR") {
      width = view.getUint32(offset + 8);
      height = view.getUint32(offset + 12);
      assert.equal(data[8], 8, "bit depth 8");
      assert.equal(data[12], 0, "not interlaced");
      colourType = data[9];
    }
    if (type === "IDAT") idat.push(data);
    offset += 12 + length;
  }
  assert.deepEqual([types[0], types.at(-1)], ["IHDR", "IEND"]);
  const channels = colourType === 0 ? 1 : colourType === 2 ? 3 : colourType === 4 ? 2 : 4;
  const raw = new Uint8Array(inflateSync(Buffer.concat(idat)));
  const stride = width * channels;
  assert.equal(raw.length, (stride + 1) * height);
  const pixels = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const out = pixels.subarray(y * stride, (y + 1) * stride);
    const prior = y > 0 ? pixels.subarray((y - 1) * stride, y * stride) : new Uint8Array(stride);
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? out[x - channels] : 0;
      const b = prior[x];
      const c = x >= channels ? prior[x - channels] : 0;
      let predictor = 0;
      if (filter === 1) predictor = a;
      else if (filter === 2) predictor = b;
      else if (filter === 3) predictor = (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
        predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      } else assert.equal(filter, 0, `filter type ${filter}`);
      out[x] = (line[x] + predictor) & 0xff;
    }
  }
  return { width, height, colourType, pixels };
}
