/**
 * Classes files (output of `classify`, input of `cluster` as partition S3): one line per class,
 *
 * ```
 * CLUSTER-0 { size: 3, 4, 17, 21}
 * CLUSTER-1 { size: 2, 0, 9}
 * ```
 *
 * with 0-based indices of the *dataset* images assigned to that class. Every image appears in exactly
 * one class. The reader also accepts `{size: n, ...}` without the space, a trailing comma, and blank
 * lines.
 * @module
 */
import { InputError } from "../errors.ts";
import { readTextInput } from "./idx.ts";
import { writeFileAtomic } from "../io/atomic.ts";

/** A partition of `count` images into classes, as stored in a classes file. */
export interface ClassesFile {
  /** Class ids in file order (the `<c>` of `CLUSTER-<c>`). */
  classIds: number[];
  /** For each class (same order as `classIds`), the 0-based image indices, ascending as written. */
  members: number[][];
  /** Total number of images (= the sum of the class sizes). */
  count: number;
}

/** Options for {@linkcode readClassesFile} and {@linkcode parseClassesFile}. */
export interface ReadClassesOptions {
  /**
   * The number of images the partition must cover (e.g. the dataset size). When given, every index
   * 0..expectedCount-1 must appear exactly once. Default: the indices must be exactly 0..total-1.
   */
  expectedCount?: number;
}

/**
 * Builds the classes of a labelling: `assignment[i]` is the class of image `i` (0..classCount-1).
 * Empty classes are kept (size 0) so that class ids match the labels.
 */
export function classesFromAssignment(assignment: ArrayLike<number>, classCount?: number): ClassesFile {
  let k = classCount ?? 0;
  for (let i = 0; i < assignment.length; i++) {
    const c = assignment[i];
    if (!Number.isInteger(c) || c < 0) throw new Error(`classesFromAssignment: bad class ${c} at ${i}`);
    if (classCount === undefined) k = Math.max(k, c + 1);
    else if (c >= classCount) {
      throw new Error(`classesFromAssignment: class ${c} >= classCount ${classCount}`);
    }
  }
  const members: number[][] = Array.from({ length: k }, () => []);
  for (let i = 0; i < assignment.length; i++) members[assignment[i]].push(i);
  return { classIds: members.map((_, c) => c), members, count: assignment.length };
}

/** Returns `assignment[i]` = the class id of image `i` (inverse of {@linkcode classesFromAssignment}). */
export function assignmentFromClasses(classes: ClassesFile): Int32Array {
  const assignment = new Int32Array(classes.count).fill(-1);
  classes.members.forEach((list, j) => {
    for (const i of list) assignment[i] = classes.classIds[j];
  });
  return assignment;
}

/** Formats a classes file: `CLUSTER-<c> { size: <n>, <i1>, <i2>, ...}` per class, newline-terminated. */
export function formatClassesFile(classes: ClassesFile): string {
  const lines: string[] = [];
  classes.members.forEach((list, j) => {
    const items = [`size: ${list.length}`, ...list.map(String)];
    lines.push(`CLUSTER-${classes.classIds[j]} { ${items.join(", ")}}`);
  });
  return lines.join("\n") + "\n";
}

/** Writes a classes file atomically (temporary file + rename). */
export async function writeClassesFile(path: string, classes: ClassesFile): Promise<void> {
  await writeFileAtomic(path, formatClassesFile(classes));
}

const LINE = /^CLUSTER-(\d+)\s*\{\s*size\s*:\s*(\d+)\s*((?:,\s*\d+\s*)*),?\s*\}$/;

/** The largest class id a classes file may use (2^31 - 1). */
export const MAX_CLASS_ID = 2_147_483_647;

/** A number's text for a message, cut when it is long. */
function shorten(digits: string): string {
  return digits.length > 24 ? `${digits.slice(0, 20)}... (${digits.length} digits)` : digits;
}

/**
 * Parses the text of a classes file. `name` (the path) prefixes every error. Malformed lines, sizes
 * that disagree with the number of indices, duplicated class ids, duplicated or out-of-range indices
 * and missing indices are {@linkcode InputError}s.
 */
export function parseClassesFile(text: string, name: string, options: ReadClassesOptions = {}): ClassesFile {
  const classIds: number[] = [];
  const members: number[][] = [];
  const seenClass = new Set<number>();
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, lineIndex) => {
    const line = raw.trim();
    if (line === "") return;
    const where = `${name}:${lineIndex + 1}`;
    const match = LINE.exec(line);
    if (!match) {
      throw new InputError(
        `${where}: expected "CLUSTER-<c> { size: <n>, <i1>, ...}", got ${JSON.stringify(line.slice(0, 60))}`,
      );
    }
    const id = Number(match[1]);
    if (!Number.isSafeInteger(id) || id > MAX_CLASS_ID) {
      throw new InputError(`${where}: class id ${shorten(match[1])} is too large (at most ${MAX_CLASS_ID})`);
    }
    if (seenClass.has(id)) throw new InputError(`${where}: class CLUSTER-${id} appears twice`);
    seenClass.add(id);
    const texts = match[3].split(",").map((s) => s.trim()).filter((s) => s !== "");
    if (texts.length !== Number(match[2]) || !/^\d{1,15}$/.test(match[2])) {
      throw new InputError(
        `${where}: CLUSTER-${id} declares size ${shorten(match[2])} but lists ${texts.length} indices`,
      );
    }
    const list: number[] = [];
    for (const item of texts) {
      const index = Number(item);
      if (!Number.isSafeInteger(index)) {
        throw new InputError(`${where}: index ${shorten(item)} in CLUSTER-${id} is out of range`);
      }
      list.push(index);
    }
    classIds.push(id);
    members.push(list);
  });
  if (classIds.length === 0) throw new InputError(`${name}: no CLUSTER lines (empty classes file)`);
  const total = members.reduce((s, m) => s + m.length, 0);
  const count = options.expectedCount ?? total;
  const owner = new Int32Array(count).fill(-1);
  members.forEach((list, j) => {
    for (const i of list) {
      if (i >= count) {
        throw new InputError(
          `${name}: index ${i} in CLUSTER-${classIds[j]} is out of range (the set has ${count} images, 0..${
            count - 1
          })`,
        );
      }
      if (owner[i] !== -1) {
        throw new InputError(
          `${name}: index ${i} appears twice (CLUSTER-${classIds[owner[i]]} and CLUSTER-${classIds[j]})`,
        );
      }
      owner[i] = j;
    }
  });
  const missing = owner.indexOf(-1);
  if (missing !== -1) {
    const missingCount = owner.reduce((s, o) => s + (o === -1 ? 1 : 0), 0);
    throw new InputError(
      `${name}: ${missingCount} of ${count} image indices are in no class (first missing: ${missing})`,
    );
  }
  return { classIds, members, count };
}

/** Reads and validates a classes file (see {@linkcode parseClassesFile}). */
export async function readClassesFile(path: string, options: ReadClassesOptions = {}): Promise<ClassesFile> {
  return parseClassesFile(await readTextInput(path), path, options);
}
