/**
 * A grid of small uint8 images (28×28 digits by default, e.g. queries and their neighbours) as one PNG,
 * with optional captions under each image (a built-in 3×5 pixel font) and coloured borders.
 *
 * Why captions are pixels and not HTML: the grid is shown as one `image/png` output, which every front
 * end draws as it is, trusted or not (classic Notebook, JupyterLab, VS Code, nbviewer, GitHub, the HTML
 * reports), and which can be saved or copied as one picture with its captions and borders. Captions and
 * borders in a `text/html` output would be sanitised away or lost in some of those places (untrusted
 * notebooks, GitHub), and the image/png fallback would then show images without the labels that say
 * which neighbour is right. Captions are short (a label, a distance), so the 3×5 font of `_font.ts`
 * (digits, letters, common punctuation; 76 lines) covers them without drawing text through a canvas
 * package or a browser.
 * @module
 */
import { InputError } from "../errors.ts";
import type { ImageSet } from "../data/idx.ts";
import { encodeBase64 } from "../util/base64.ts";
import { display, type DisplayBundle } from "./display.ts";
import { encodePng } from "./png.ts";
import { glyph, GLYPH_HEIGHT, GLYPH_WIDTH } from "./_font.ts";

/** Options for {@linkcode imageGridPng}. */
export interface ImageGridOptions {
  /** Image height in pixels. Default 28. */
  rows?: number;
  /** Image width in pixels. Default 28. */
  cols?: number;
  /** Images per grid row. Default: min(count, 10). */
  columns?: number;
  /** Pixel magnification (nearest neighbour). Default 3. */
  scale?: number;
  /** One caption per image (shown under it, cut to fit; `""` for none). */
  captions?: string[];
  /** Border colour per image as `#rrggbb` (e.g. green for a correct neighbour, red for a wrong one). */
  borders?: (string | undefined)[];
  /** Show dark digits on white (255 − pixel). Default false. */
  invert?: boolean;
}

/** Pixels of image `index` of `set` (a view, no copy). */
export function imageAt(set: ImageSet, index: number): Uint8Array {
  const size = set.rows * set.cols;
  if (!Number.isInteger(index) || index < 0 || index >= set.count) {
    throw new InputError(`imageAt: index ${index} is out of range 0..${set.count - 1}`);
  }
  return set.pixels.subarray(index * size, (index + 1) * size);
}

function parseColour(colour: string): [number, number, number] {
  const match = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(colour);
  if (!match) throw new InputError(`imageGridPng: colour "${colour}" is not #rrggbb`);
  return [parseInt(match[1], 16), parseInt(match[2], 16), parseInt(match[3], 16)];
}

/** Lays out `images` (each `rows × cols` bytes) in a grid and encodes it as an RGB PNG. */
export function imageGridPng(images: Uint8Array[], options: ImageGridOptions = {}): Uint8Array {
  const rows = options.rows ?? 28;
  const cols = options.cols ?? 28;
  const scale = options.scale ?? 3;
  if (images.length === 0) throw new InputError("imageGridPng: no images");
  if (!Number.isInteger(scale) || scale < 1 || scale > 32) {
    throw new InputError(`imageGridPng: bad scale ${scale}`);
  }
  images.forEach((image, i) => {
    if (image.length !== rows * cols) {
      throw new InputError(`imageGridPng: image ${i} has ${image.length} bytes, expected ${rows}x${cols}`);
    }
  });
  const columns = Math.max(1, Math.min(options.columns ?? Math.min(images.length, 10), images.length));
  const gridRows = Math.ceil(images.length / columns);
  const captions = options.captions;
  const fontScale = Math.max(1, Math.round(scale / 2));
  const border = Math.max(1, Math.floor(scale / 2));
  const captionHeight = captions ? (GLYPH_HEIGHT + 2) * fontScale : 0;
  const cellWidth = cols * scale + 2 * border;
  const cellHeight = rows * scale + 2 * border + captionHeight;
  const gap = 2;
  const width = columns * cellWidth + (columns + 1) * gap;
  const height = gridRows * cellHeight + (gridRows + 1) * gap;
  const out = new Uint8Array(width * height * 3).fill(255);
  const fill = (x0: number, y0: number, w: number, h: number, rgb: [number, number, number]) => {
    for (let y = y0; y < y0 + h; y++) {
      for (let x = x0; x < x0 + w; x++) {
        const o = (y * width + x) * 3;
        out[o] = rgb[0];
        out[o + 1] = rgb[1];
        out[o + 2] = rgb[2];
      }
    }
  };
  const background: [number, number, number] = options.invert ? [255, 255, 255] : [0, 0, 0];
  const ink: [number, number, number] = options.invert ? [0, 0, 0] : [235, 235, 235];
  images.forEach((image, index) => {
    const x0 = gap + (index % columns) * (cellWidth + gap);
    const y0 = gap + Math.floor(index / columns) * (cellHeight + gap);
    const borderColour = options.borders?.[index];
    fill(x0, y0, cellWidth, cellHeight, borderColour ? parseColour(borderColour) : [200, 200, 200]);
    fill(x0 + border, y0 + border, cols * scale, rows * scale + captionHeight, background);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const value = options.invert ? 255 - image[r * cols + c] : image[r * cols + c];
        fill(x0 + border + c * scale, y0 + border + r * scale, scale, scale, [value, value, value]);
      }
    }
    const caption = captions?.[index] ?? "";
    if (caption) {
      const advance = (GLYPH_WIDTH + 1) * fontScale;
      const fits = Math.floor((cols * scale) / advance);
      const text = caption.length > fits ? caption.slice(0, Math.max(0, fits - 1)) + "." : caption;
      let x = x0 + border + Math.floor((cols * scale - text.length * advance + fontScale) / 2);
      const y = y0 + border + rows * scale + fontScale;
      for (const char of text) {
        glyph(char).forEach((line, gy) =>
          line.forEach((on, gx) => {
            if (on) fill(x + gx * fontScale, y + gy * fontScale, fontScale, fontScale, ink);
          })
        );
        x += advance;
      }
    }
  });
  return encodePng({ width, height, channels: 3, pixels: out });
}

/** Captions listed in an image grid's `text/plain` form before it is cut with "…". */
export const GRID_TEXT_CAPTIONS = 10;

/**
 * A display bundle (`image/png` + `text/plain`) for an image grid. The text lists the first
 * {@linkcode GRID_TEXT_CAPTIONS} captions and ends with "…" when it leaves some out.
 */
export function imageGridBundle(images: Uint8Array[], options: ImageGridOptions = {}): DisplayBundle {
  const png = imageGridPng(images, options);
  const captions = options.captions ?? [];
  const cut = captions.length > GRID_TEXT_CAPTIONS;
  const captionNote = captions.length
    ? `: ${captions.slice(0, GRID_TEXT_CAPTIONS).join(", ")}${cut ? ", …" : ""}`
    : "";
  return { "image/png": encodeBase64(png), "text/plain": `[grid of ${images.length} images${captionNote}]` };
}

/** Shows an image grid (await it). */
export async function showImageGrid(images: Uint8Array[], options: ImageGridOptions = {}): Promise<void> {
  await display(imageGridBundle(images, options));
}
