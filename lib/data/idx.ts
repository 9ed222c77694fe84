/**
 * IDX files (the MNIST format): a big-endian header `0x00 0x00 <type> <ndims>`, one big-endian uint32
 * per dimension, then the values, big-endian, row-major. Plain or gzip-compressed (detected from the
 * bytes, not the name). Also reads the latent files of the original Python tool: magic 69, header
 * `N, 1, D` as big-endian uint32, values big-endian uint16 in 0..25500.
 * @module
 */
import { InputError } from "../errors.ts";
import { writeFileAtomic } from "../io/atomic.ts";

/** IDX type codes (third byte of the magic number). */
export const IdxType = {
  uint8: 0x08,
  int8: 0x09,
  int16: 0x0b,
  int32: 0x0c,
  float32: 0x0d,
  float64: 0x0e,
} as const;

/** One of the IDX element types by name. */
export type IdxTypeName = keyof typeof IdxType;

/** Typed arrays that IDX values are returned in. */
export type IdxTypedArray = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** A decoded IDX file: element type, dimensions and the values in host byte order. */
export interface IdxArray {
  /** Element type. */
  type: IdxTypeName;
  /** Dimensions, outermost first (e.g. `[N, 28, 28]`). */
  dims: number[];
  /** Values, row-major, as a typed array of the matching type. */
  data: IdxTypedArray;
}

/** The magic number the original Python `reduce` tool wrote for latent files. */
export const LEGACY_LATENT_MAGIC = 69;

const BYTES_PER_ELEMENT: Record<IdxTypeName, number> = {
  uint8: 1,
  int8: 1,
  int16: 2,
  int32: 4,
  float32: 4,
  float64: 8,
};

function typeNameOf(code: number): IdxTypeName | undefined {
  for (const [name, value] of Object.entries(IdxType)) {
    if (value === code) return name as IdxTypeName;
  }
  return undefined;
}

function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Decompresses gzip bytes (used for `.gz` IDX files). */
export async function gunzip(bytes: Uint8Array, name = "input"): Promise<Uint8Array> {
  try {
    const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
      new DecompressionStream("gzip"),
    );
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (error) {
    throw new InputError(`${name}: corrupt gzip data (${String((error as Error)?.message ?? error)})`);
  }
}

/** Compresses bytes with gzip. */
export async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
    new CompressionStream("gzip"),
  );
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function allocate(type: IdxTypeName, count: number): IdxTypedArray {
  switch (type) {
    case "uint8":
      return new Uint8Array(count);
    case "int8":
      return new Int8Array(count);
    case "int16":
      return new Int16Array(count);
    case "int32":
      return new Int32Array(count);
    case "float32":
      return new Float32Array(count);
    case "float64":
      return new Float64Array(count);
  }
}

function readValues(
  view: DataView,
  offset: number,
  type: IdxTypeName,
  count: number,
  unsigned16 = false,
): IdxTypedArray {
  if (type === "uint8") {
    return new Uint8Array(view.buffer, view.byteOffset + offset, count).slice();
  }
  const out = allocate(type, count);
  const size = BYTES_PER_ELEMENT[type];
  for (let i = 0, p = offset; i < count; i++, p += size) {
    switch (type) {
      case "int8":
        out[i] = view.getInt8(p);
        break;
      case "int16":
        out[i] = unsigned16 ? view.getUint16(p, false) : view.getInt16(p, false);
        break;
      case "int32":
        out[i] = view.getInt32(p, false);
        break;
      case "float32":
        out[i] = view.getFloat32(p, false);
        break;
      case "float64":
        out[i] = view.getFloat64(p, false);
        break;
    }
  }
  return out;
}

/**
 * Decodes IDX bytes (already decompressed). `name` (usually the file path) prefixes every error.
 * Trailing bytes after the declared data are an error, as is data shorter than the header declares.
 */
export function decodeIdx(bytes: Uint8Array, name = "input"): IdxArray {
  if (bytes.length < 4) throw new InputError(`${name}: truncated IDX header (${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  if (magic === LEGACY_LATENT_MAGIC) {
    if (bytes.length < 16) throw new InputError(`${name}: truncated header of a legacy latent file`);
    const dims = [view.getUint32(4, false), view.getUint32(8, false), view.getUint32(12, false)];
    const count = dims[0] * dims[1] * dims[2];
    const expected = 16 + 2 * count;
    if (bytes.length !== expected) {
      throw new InputError(
        `${name}: legacy latent file has ${bytes.length} bytes, header ${dims.join("x")} needs ${expected}`,
      );
    }
    for (let i = 0, p = 16; i < count; i++, p += 2) {
      const value = view.getUint16(p, false);
      if (value > LATENT_SCALE) {
        throw new InputError(`${name}: value ${value} at position ${i} is outside 0..${LATENT_SCALE}`);
      }
    }
    return { type: "int16", dims, data: readValues(view, 16, "int16", count, true) };
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new InputError(
      `${name}: not an IDX file (magic 0x${magic.toString(16).padStart(8, "0")}; expected 0x0000TTDD)`,
    );
  }
  const type = typeNameOf(bytes[2]);
  if (type === undefined) {
    throw new InputError(`${name}: unknown IDX element type 0x${bytes[2].toString(16).padStart(2, "0")}`);
  }
  const rank = bytes[3];
  if (rank === 0) throw new InputError(`${name}: IDX header declares 0 dimensions`);
  const headerSize = 4 + 4 * rank;
  if (bytes.length < headerSize) {
    throw new InputError(`${name}: truncated IDX header (${bytes.length} of ${headerSize} bytes)`);
  }
  const dims: number[] = [];
  let count = 1;
  for (let i = 0; i < rank; i++) {
    const size = view.getUint32(4 + 4 * i, false);
    dims.push(size);
    count *= size;
  }
  const expected = headerSize + count * BYTES_PER_ELEMENT[type];
  if (bytes.length < expected) {
    throw new InputError(
      `${name}: truncated data: ${bytes.length} bytes, header ${dims.join("x")} ${type} needs ${expected}`,
    );
  }
  if (bytes.length > expected) {
    throw new InputError(
      `${name}: ${bytes.length - expected} bytes after the data declared by the header ${dims.join("x")}`,
    );
  }
  return { type, dims, data: readValues(view, headerSize, type, count) };
}

/** Encodes an IDX array to bytes (uncompressed, big-endian). */
export function encodeIdx(array: IdxArray): Uint8Array {
  const count = array.dims.reduce((a, b) => a * b, 1);
  if (count !== array.data.length) {
    throw new Error(
      `encodeIdx: dims ${array.dims.join("x")} hold ${count} values, data has ${array.data.length}`,
    );
  }
  const size = BYTES_PER_ELEMENT[array.type];
  const headerSize = 4 + 4 * array.dims.length;
  const bytes = new Uint8Array(headerSize + count * size);
  const view = new DataView(bytes.buffer);
  bytes[2] = IdxType[array.type];
  bytes[3] = array.dims.length;
  array.dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  if (array.type === "uint8") {
    bytes.set(array.data as Uint8Array, headerSize);
    return bytes;
  }
  const data = array.data;
  for (let i = 0, p = headerSize; i < count; i++, p += size) {
    switch (array.type) {
      case "int8":
        view.setInt8(p, data[i]);
        break;
      case "int16":
        view.setInt16(p, data[i], false);
        break;
      case "int32":
        view.setInt32(p, data[i], false);
        break;
      case "float32":
        view.setFloat32(p, data[i], false);
        break;
      case "float64":
        view.setFloat64(p, data[i], false);
        break;
    }
  }
  return bytes;
}

/** Reads raw file bytes, turning "not found" and friends into one-line {@linkcode InputError}s. */
export async function readFileBytes(path: string): Promise<Uint8Array> {
  try {
    const info = await Deno.stat(path);
    if (info.isDirectory) throw new InputError(`${path}: is a directory, expected a file`);
    return await Deno.readFile(path);
  } catch (error) {
    if (error instanceof InputError) throw error;
    if (error instanceof Deno.errors.NotFound) throw new InputError(`${path}: file not found`);
    if (error instanceof Deno.errors.PermissionDenied) throw new InputError(`${path}: permission denied`);
    throw new InputError(`${path}: cannot read (${(error as Error).message})`);
  }
}

/** Reads a UTF-8 text file: the errors of {@linkcode readFileBytes}, and an InputError for invalid UTF-8. */
export async function readTextInput(path: string): Promise<string> {
  const bytes = await readFileBytes(path);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new InputError(`${path}: not a text file (invalid UTF-8)`);
  }
}

/** Decodes the bytes of an IDX file, plain or gzip-compressed (detected from the bytes); `name` prefixes errors. */
export async function decodeIdxFile(bytes: Uint8Array, name = "input"): Promise<IdxArray> {
  return decodeIdx(isGzip(bytes) ? await gunzip(bytes, name) : bytes, name);
}

/** Reads an IDX file, plain or gzip-compressed. */
export async function readIdx(path: string): Promise<IdxArray> {
  return await decodeIdxFile(await readFileBytes(path), path);
}

/** The bytes of an IDX file for `path`: gzip-compressed when `path` ends in `.gz`. */
export async function encodeIdxFile(path: string, array: IdxArray): Promise<Uint8Array> {
  const bytes = encodeIdx(array);
  return path.endsWith(".gz") ? await gzip(bytes) : bytes;
}

/** Writes an IDX file atomically; gzip-compressed when `path` ends in `.gz`. */
export async function writeIdx(path: string, array: IdxArray): Promise<void> {
  await writeFileAtomic(path, await encodeIdxFile(path, array));
}

/** A set of uint8 images. */
export interface ImageSet {
  /** Number of images. */
  count: number;
  /** Image height in pixels. */
  rows: number;
  /** Image width in pixels. */
  cols: number;
  /** All pixels, image after image, row-major: `count * rows * cols` bytes. */
  pixels: Uint8Array;
}

/** Options for {@linkcode readImages}. */
export interface ReadImagesOptions {
  /** Required image height and width (e.g. `[28, 28]`); a mismatch is an error. Default: any. */
  shape?: [number, number];
  /** Read only the first `limit` images. Default: all. */
  limit?: number;
}

/** Reads an IDX uint8 image file (magic 0x00000803). Empty sets and wrong shapes are errors. */
export async function readImages(path: string, options: ReadImagesOptions = {}): Promise<ImageSet> {
  return imagesFromIdx(await readIdx(path), path, options);
}

/** Checks a decoded IDX array as an image set (see {@linkcode readImages}); `path` prefixes errors. */
export function imagesFromIdx(array: IdxArray, path: string, options: ReadImagesOptions = {}): ImageSet {
  if (array.type !== "uint8" || array.dims.length !== 3) {
    throw new InputError(
      `${path}: not an image file (expected uint8 with 3 dims, magic 0x00000803; found ${array.type} with ${array.dims.length} dims)`,
    );
  }
  const [count, rows, cols] = array.dims;
  if (count === 0) throw new InputError(`${path}: empty image set (0 images)`);
  if (rows === 0 || cols === 0) throw new InputError(`${path}: images of size ${rows}x${cols}`);
  if (options.shape && (options.shape[0] !== rows || options.shape[1] !== cols)) {
    throw new InputError(
      `${path}: images are ${rows}x${cols}, expected ${options.shape[0]}x${options.shape[1]}`,
    );
  }
  const pixels = array.data as Uint8Array;
  if (options.limit !== undefined && options.limit < count) {
    const n = Math.max(0, options.limit);
    return { count: n, rows, cols, pixels: pixels.slice(0, n * rows * cols) };
  }
  return { count, rows, cols, pixels };
}

/** Writes an IDX uint8 image file (atomically; gzip when the name ends in `.gz`). */
export async function writeImages(path: string, images: ImageSet): Promise<void> {
  await writeIdx(path, {
    type: "uint8",
    dims: [images.count, images.rows, images.cols],
    data: images.pixels,
  });
}

/** Reads an IDX uint8 label file (magic 0x00000801). `expectedCount`, when given, must match. */
export async function readLabels(path: string, expectedCount?: number): Promise<Uint8Array> {
  return labelsFromIdx(await readIdx(path), path, { expectedCount });
}

/**
 * Checks a decoded IDX array as labels (see {@linkcode readLabels}), `options.expectedCount` of them
 * when given; `path` prefixes errors.
 */
export function labelsFromIdx(
  array: IdxArray,
  path: string,
  options: { expectedCount?: number } = {},
): Uint8Array {
  const expectedCount = options.expectedCount;
  if (array.type !== "uint8" || array.dims.length !== 1) {
    throw new InputError(
      `${path}: not a label file (expected uint8 with 1 dim, magic 0x00000801; found ${array.type} with ${array.dims.length} dims)`,
    );
  }
  if (array.dims[0] === 0) throw new InputError(`${path}: empty label set (0 labels)`);
  if (expectedCount !== undefined && array.dims[0] !== expectedCount) {
    throw new InputError(`${path}: ${array.dims[0]} labels for ${expectedCount} images`);
  }
  return array.data as Uint8Array;
}

/** Writes an IDX uint8 label file. */
export async function writeLabels(path: string, labels: Uint8Array): Promise<void> {
  await writeIdx(path, { type: "uint8", dims: [labels.length], data: labels });
}

/** A set of latent vectors as stored in latent files: integers in 0..25500. */
export interface LatentSet {
  /** Number of vectors. */
  count: number;
  /** Dimension of each vector. */
  dim: number;
  /** All values, vector after vector: `count * dim` int16 values. */
  values: Int16Array;
}

/** The largest value in a latent file (the original tool's scale). */
export const LATENT_SCALE = 25500;

/**
 * Reads a latent file: IDX int16 (magic 0x00000B03) with dims N×1×D (N×D is accepted too), or the
 * original tool's format (magic 69). Values outside 0..25500 are an error.
 */
export async function readLatent(path: string): Promise<LatentSet> {
  return latentFromIdx(await readIdx(path), path);
}

/** Checks a decoded IDX array as a latent set (see {@linkcode readLatent}); `path` prefixes errors. */
export function latentFromIdx(array: IdxArray, path: string): LatentSet {
  if (array.type !== "int16" || (array.dims.length !== 3 && array.dims.length !== 2)) {
    throw new InputError(
      `${path}: not a latent file (expected int16 N x 1 x D, magic 0x00000B03; found ${array.type} with ${array.dims.length} dims)`,
    );
  }
  const count = array.dims[0];
  const dim = array.dims.length === 3 ? array.dims[1] * array.dims[2] : array.dims[1];
  if (array.dims.length === 3 && array.dims[1] !== 1) {
    throw new InputError(`${path}: latent file dims ${array.dims.join("x")}, expected N x 1 x D`);
  }
  if (count === 0) throw new InputError(`${path}: empty latent set (0 vectors)`);
  if (dim === 0) throw new InputError(`${path}: latent vectors of dimension 0`);
  const values = array.data as Int16Array;
  for (let i = 0; i < values.length; i++) {
    if (values[i] < 0 || values[i] > LATENT_SCALE) {
      throw new InputError(`${path}: value ${values[i]} at position ${i} is outside 0..${LATENT_SCALE}`);
    }
  }
  return { count, dim, values };
}

/** A latent set as the IDX array of a latent file: int16, dims N×1×D. */
export function latentIdx(latent: LatentSet): IdxArray {
  return { type: "int16", dims: [latent.count, 1, latent.dim], data: latent.values };
}

/** Writes a latent file: IDX int16, dims N×1×D (atomically). */
export async function writeLatent(path: string, latent: LatentSet): Promise<void> {
  await writeIdx(path, latentIdx(latent));
}
