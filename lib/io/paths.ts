/**
 * Keeping a tool's outputs away from its inputs. A {@linkcode PathGuard} collects the inputs (files
 * and folders: data, models, notebooks) and then resolves each output once: absolute, symbolic links
 * followed, `..` removed. An output is refused with an {@linkcode InputError} naming its flag when
 * it is an input, lies inside an input folder, is a hard link to an input (same device and inode),
 * is another output, or when its folder is missing or cannot be written (proved by creating and
 * removing a probe file). All of this happens before any work.
 * @module
 */
import { basename, dirname, isAbsolute, join, sep } from "node:path";
import { InputError } from "../errors.ts";
import { temporaryPath } from "./_names.ts";

/** What kind of input folder a flag names (used in messages). */
export type FolderRole =
  | "input folder"
  | "model folder"
  | "models folder"
  | "notebook folder"
  | "data set folder";

interface Protected {
  flag: string;
  shown: string;
  real: string;
  role?: FolderRole;
  /** Only the folder itself is protected, not what lies inside (a models folder: its models are). */
  exact?: boolean;
}

interface Output {
  flag: string;
  shown: string;
  real: string;
  /** Replaced as a whole (a model folder): nothing else may lie inside. */
  wholeFolder: boolean;
}

/** The largest number of files whose identity an input folder contributes (models, notebooks: a few). */
const MAX_FOLDER_FILES = 20_000;

function identityOf(info: Deno.FileInfo): string | undefined {
  return info.dev !== null && info.ino !== null ? `${info.dev}:${info.ino}` : undefined;
}

function statOrUndefined(path: string, follow = true): Deno.FileInfo | undefined {
  try {
    return follow ? Deno.statSync(path) : Deno.lstatSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory) return undefined;
    throw error;
  }
}

/** The entries of folder `dir`; none when it cannot be read. */
function readableEntries(dir: string): Deno.DirEntry[] {
  try {
    return [...Deno.readDirSync(dir)];
  } catch {
    return [];
  }
}

function inside(path: string, folder: string): boolean {
  return path === folder || path.startsWith(folder.endsWith(sep) ? folder : folder + sep);
}

/** The nearest existing ancestor of absolute `path` and the part below it. */
function nearestExisting(path: string): { existing: string; rest: string[] } {
  const rest: string[] = [];
  let current = path;
  while (statOrUndefined(current, false) === undefined) {
    const parent = dirname(current);
    if (parent === current) break;
    rest.unshift(basename(current));
    current = parent;
  }
  return { existing: current, rest };
}

/**
 * `path` made absolute without normalising it: `a/../b` keeps its `..`, so that it is resolved as
 * the system does (physically, through symbolic links) by `realPath`, not lexically.
 */
function absoluteOf(path: string): string {
  return isAbsolute(path) ? path : Deno.cwd() + sep + path;
}

/**
 * Output `path` made absolute (see {@linkcode absoluteOf}) and what is there now (links followed;
 * `undefined` when nothing is). An empty path and a broken symbolic link are refused, naming `flag`.
 */
function lookUpOutput(flag: string, path: string): { absolute: string; info: Deno.FileInfo | undefined } {
  if (path === "") throw new InputError(`${flag}: empty path`);
  const absolute = absoluteOf(path);
  const info = statOrUndefined(absolute);
  if (info === undefined && statOrUndefined(absolute, false) !== undefined) {
    throw new InputError(`${flag}: ${path} is a broken symbolic link`);
  }
  return { absolute, info };
}

function describe(error: unknown): string {
  if (error instanceof Deno.errors.PermissionDenied) return "permission denied";
  return error instanceof Error ? error.message.replace(/\s+/g, " ") : String(error);
}

/** Collects inputs and checks outputs against them (see the module doc). */
export class PathGuard {
  #inputs: Protected[] = [];
  #identities = new Map<string, { flag: string; file: string }>();
  #outputs: Output[] = [];
  #outputIdentities = new Map<string, string>();
  #folders = new Set<string>();
  #writable = new Set<string>();

  /** Folders that receive outputs (for clearing stale temporaries), in order. */
  get outputFolders(): string[] {
    return [...this.#folders];
  }

  /** The names of the outputs directly in `folder` (an entry of {@linkcode PathGuard.outputFolders}). */
  outputNames(folder: string): string[] {
    return this.#outputs.filter((output) => dirname(output.real) === folder).map((output) =>
      basename(output.real)
    );
  }

  /** Registers an input file that must exist; returns `path` unchanged. */
  input(flag: string, path: string): string {
    let info: Deno.FileInfo | undefined;
    try {
      info = statOrUndefined(path);
    } catch (error) {
      throw new InputError(`${flag}: ${path}: cannot read (${describe(error)})`);
    }
    if (info === undefined) {
      const link = statOrUndefined(path, false);
      throw new InputError(`${flag}: ${path}: ${link ? "broken symbolic link" : "file not found"}`);
    }
    if (info.isDirectory) throw new InputError(`${flag}: ${path} is a folder, expected a file`);
    const real = Deno.realPathSync(path);
    this.#inputs.push({ flag, shown: path, real });
    const identity = identityOf(info);
    if (identity) this.#identities.set(identity, { flag, file: path });
    return path;
  }

  /**
   * Registers an input folder (a model, the models folder, the notebooks, a data set). Outputs may
   * not lie inside it nor be hard links to the files in it. With `mayBeMissing`, a folder that does
   * not exist yet is protected all the same; otherwise it must exist.
   */
  inputFolder(flag: string, path: string, options: { role: FolderRole; mayBeMissing?: boolean }): string {
    const info = statOrUndefined(path);
    if (info === undefined) {
      if (!options.mayBeMissing) throw new InputError(`${flag}: ${path}: ${options.role} not found`);
      const { existing, rest } = nearestExisting(absoluteOf(path));
      this.#inputs.push({
        flag,
        shown: path,
        real: join(Deno.realPathSync(existing), ...rest),
        role: options.role,
      });
      return path;
    }
    if (!info.isDirectory) throw new InputError(`${flag}: ${path} is a file, expected a ${options.role}`);
    const real = Deno.realPathSync(path);
    if (options.role === "models folder") {
      // New outputs may go into a folder of models (e.g. --save models/clf), but not into a model.
      this.#inputs.push({ flag, shown: path, real, role: options.role, exact: true });
      this.#protectModels(flag, path, real);
    } else this.#inputs.push({ flag, shown: path, real, role: options.role });
    let count = 0;
    const visit = (dir: string, depth: number) => {
      for (const entry of readableEntries(dir)) {
        if (count >= MAX_FOLDER_FILES) return;
        const child = join(dir, entry.name);
        if (entry.isDirectory && depth < 2) visit(child, depth + 1);
        else if (entry.isFile) {
          count += 1;
          const childInfo = statOrUndefined(child);
          const identity = childInfo && identityOf(childInfo);
          if (identity) {
            this.#identities.set(identity, { flag, file: join(path, child.slice(real.length + 1)) });
          }
        }
      }
    };
    visit(real, 0);
    return path;
  }

  /** Protects the model folders (with a `metadata.json`) directly in `real` and one level deeper. */
  #protectModels(flag: string, path: string, real: string): void {
    const visit = (dir: string, depth: number) => {
      for (const entry of readableEntries(dir)) {
        if (!entry.isDirectory) continue;
        const child = join(dir, entry.name);
        if (statOrUndefined(join(child, "metadata.json"))?.isFile) {
          const shown = join(path, child.slice(real.length + 1));
          this.#inputs.push({ flag, shown, real: child, role: "model folder" });
        } else if (depth < 1) visit(child, depth + 1);
      }
    };
    visit(real, 0);
  }

  #refuseInputs(flag: string, shown: string, real: string, info: Deno.FileInfo | undefined): void {
    for (const input of this.#inputs) {
      if (input.role === undefined && real === input.real) {
        throw new InputError(`${flag}: ${shown} is the input file of ${input.flag} (${input.shown})`);
      }
      if (input.exact && real === input.real) {
        throw new InputError(`${flag}: ${shown} is the ${input.role} of ${input.flag} (${input.shown})`);
      }
      if (input.role !== undefined && !input.exact && inside(real, input.real)) {
        const relation = real === input.real ? "is" : "lies inside";
        throw new InputError(
          `${flag}: ${shown} ${relation} the ${input.role} of ${input.flag} (${input.shown})`,
        );
      }
    }
    const identity = info && identityOf(info);
    const owner = identity && this.#identities.get(identity);
    if (owner) {
      throw new InputError(`${flag}: ${shown} is a hard link to ${owner.file}, an input of ${owner.flag}`);
    }
  }

  #refuseOutputs(flag: string, shown: string, real: string, info: Deno.FileInfo | undefined): void {
    for (const output of this.#outputs) {
      if (real === output.real) throw new InputError(`${flag}: ${shown} is the same path as ${output.flag}`);
      if (output.wholeFolder && inside(real, output.real)) {
        throw new InputError(`${flag}: ${shown} lies inside ${output.shown}, which ${output.flag} replaces`);
      }
    }
    const identity = info && identityOf(info);
    const other = identity && this.#outputIdentities.get(identity);
    if (other) throw new InputError(`${flag}: ${shown} is the same file as ${other}`);
  }

  /** Proves that files can be created in `folder` (an existing folder) by creating and removing one. */
  proveWritable(flag: string, folder: string): void {
    if (this.#writable.has(folder)) return;
    const probe = temporaryPath(join(folder, "write"), "probe");
    try {
      Deno.writeFileSync(probe, new Uint8Array(0), { createNew: true });
    } catch (error) {
      throw new InputError(`${flag}: cannot write into ${folder} (${describe(error)})`);
    }
    try {
      Deno.removeSync(probe);
    } catch { /* a later run removes it as stale */ }
    this.#writable.add(folder);
  }

  /**
   * Resolves an output file (see the module doc) and returns its real path: the file that will be
   * replaced (a symbolic link's target) or created. With `folderMayBeMissing` the folders above it
   * are created later by the tool; the nearest existing one must be writable.
   */
  outputFile(flag: string, path: string, options: { folderMayBeMissing?: boolean } = {}): string {
    const { absolute, info } = lookUpOutput(flag, path);
    let real: string;
    if (info !== undefined) {
      if (info.isDirectory) throw new InputError(`${flag}: ${path} is a folder, expected a file`);
      if (!info.isFile) throw new InputError(`${flag}: ${path} is not a regular file`);
      real = Deno.realPathSync(absolute);
    } else {
      const { existing, rest } = nearestExisting(dirname(absolute));
      const existingInfo = statOrUndefined(existing);
      if (rest.length > 0 && !options.folderMayBeMissing) {
        throw new InputError(`${flag}: cannot write ${path} (folder ${dirname(absolute)} does not exist)`);
      }
      if (!existingInfo?.isDirectory) {
        throw new InputError(`${flag}: cannot write ${path} (${existing} is not a folder)`);
      }
      real = join(Deno.realPathSync(existing), ...rest, basename(absolute));
    }
    this.#refuseInputs(flag, path, real, info);
    this.#refuseOutputs(flag, path, real, info);
    const folder = dirname(real);
    const { existing } = nearestExisting(folder);
    this.proveWritable(flag, existing);
    this.#outputs.push({ flag, shown: path, real, wholeFolder: false });
    const identity = info && identityOf(info);
    if (identity) this.#outputIdentities.set(identity, flag);
    this.#folders.add(folder);
    return real;
  }

  /**
   * Resolves a folder that outputs are written into (created when missing, with its parents) and
   * returns its real path. It may not be or lie inside an input folder.
   */
  outputFolder(flag: string, path: string): string {
    const { absolute, info } = lookUpOutput(flag, path);
    let real: string;
    if (info !== undefined) {
      if (!info.isDirectory) throw new InputError(`${flag}: ${path} is a file, expected a folder`);
      real = Deno.realPathSync(absolute);
    } else {
      const { existing, rest } = nearestExisting(absolute);
      if (!statOrUndefined(existing)?.isDirectory) {
        throw new InputError(`${flag}: cannot create ${path} (${existing} is not a folder)`);
      }
      real = join(Deno.realPathSync(existing), ...rest);
    }
    this.#refuseInputs(flag, path, real, undefined);
    for (const output of this.#outputs) {
      if (output.real === real) throw new InputError(`${flag}: ${path} is the same path as ${output.flag}`);
    }
    this.proveWritable(flag, nearestExisting(real).existing);
    this.#outputs.push({ flag, shown: path, real, wholeFolder: false });
    this.#folders.add(real);
    return real;
  }

  /**
   * Resolves a folder that is created or replaced as a whole (a saved model) and returns its real
   * path. Its parent must exist and be writable; no input and no other output may lie inside it. What
   * it may already hold is checked by the tool (see `lib/nn/persistence.ts`, `checkModelTarget`).
   */
  wholeFolder(flag: string, path: string): string {
    const { absolute, info } = lookUpOutput(flag, path);
    if (info !== undefined && !info.isDirectory) {
      throw new InputError(`${flag}: ${path} is a file (a model is saved as a folder)`);
    }
    const parent = dirname(absolute);
    const parentInfo = statOrUndefined(parent);
    if (parentInfo === undefined) {
      throw new InputError(`${flag}: cannot create ${path} (folder ${parent} does not exist)`);
    }
    if (!parentInfo.isDirectory) {
      throw new InputError(`${flag}: cannot create ${path} (${parent} is not a folder)`);
    }
    const real = info !== undefined
      ? Deno.realPathSync(absolute)
      : join(Deno.realPathSync(parent), basename(absolute));
    this.#refuseInputs(flag, path, real, undefined);
    for (const input of this.#inputs) {
      if (inside(input.real, real)) {
        throw new InputError(`${flag}: ${path} holds ${input.shown}, an input of ${input.flag}`);
      }
    }
    for (const output of this.#outputs) {
      if (inside(output.real, real) || inside(real, output.real)) {
        throw new InputError(`${flag}: ${path} overlaps ${output.shown} (${output.flag})`);
      }
    }
    this.proveWritable(flag, dirname(real));
    this.#outputs.push({ flag, shown: path, real, wholeFolder: true });
    this.#folders.add(dirname(real));
    return real;
  }
}
