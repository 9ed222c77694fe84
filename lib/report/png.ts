/**
 * PNG encoding of 8-bit grayscale, RGB or RGBA pixels, by the npm package `fast-png` (pure JavaScript,
 * zlib by `fflate`), after checking that the pixels fit the size.
 * @module
 */
import { encode } from "fast-png";
import { InputError } from "../errors.ts";

/** A raw 8-bit image. */
export interface RawImage {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** 1 (gray), 3 (RGB) or 4 (RGBA). */
  channels: 1 | 3 | 4;
  /** `width * height * channels` bytes, row-major. */
  pixels: Uint8Array;
}

/** Encodes `image` as a PNG file. */
export function encodePng(image: RawImage): Uint8Array {
  const { width, height, channels, pixels } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new InputError(`encodePng: bad size ${width}x${height}`);
  }
  if (![1, 3, 4].includes(channels)) {
    throw new InputError(`encodePng: channels must be 1, 3 or 4, got ${channels}`);
  }
  const expected = width * height * channels;
  if (pixels.length !== expected) {
    throw new InputError(
      `encodePng: expected ${expected} bytes for ${width}x${height}x${channels}, got ${pixels.length}`,
    );
  }
  return encode({ width, height, data: pixels, channels, depth: 8 });
}
