/**
 * The command-line tools' flag layer. Each tool declares its flags once, as an object of
 * {@linkcode FlagSpec}s keyed by the name its code uses; {@linkcode parseFlags} returns an object whose
 * type is inferred from those specs ({@linkcode FlagValues}: a required flag or one with a default is
 * never `undefined`, `choices` become a union of literals, `repeatable` gives a `string[]`), so a tool
 * reads `flags.k` as a `number` without a cast.
 *
 * It accepts the original tools' single-dash long flags (`-d`, `-od`, `-model`, `-EMD`) as well as
 * `--long` names, `--flag=value`, and `--help`. Every number has limits. Paths have kinds:
 *
 * - `input` (a file that must exist), `inputFolder` (a model, the models folder, the notebooks, a data
 *   set: outputs may not lie inside it);
 * - `output` (a file that will be replaced), `outputFolder` (a folder written into), `outputModel` (a
 *   folder created or replaced as a whole). Their values are resolved once (absolute, symbolic links
 *   followed, `..` removed) and refused when they are an input, lie inside an input folder, are a hard
 *   link to an input, are another output, or cannot be written (see `lib/io/paths.ts`).
 *
 * Every problem is an {@linkcode InputError} whose message starts with the flag as the user spelled
 * it, raised before the tool does any work.
 * @module
 */
import { InputError } from "../errors.ts";
import { type FolderRole, PathGuard } from "../io/paths.ts";

interface FlagBase {
  /** Spellings accepted on the command line, e.g. `["-d", "--dataset"]`. The first is shown in help. */
  readonly names: readonly string[];
  /** One line of help. */
  readonly description: string;
}

/** A text value, optionally one of `choices`, optionally given several times (`repeatable`). */
export interface StringFlagSpec extends FlagBase {
  /** The kind of flag. */
  readonly kind: "string";
  /** Whether the flag must be given. */
  readonly required?: boolean;
  /** Value used when the flag is absent. */
  readonly default?: string;
  /** The allowed values. */
  readonly choices?: readonly string[];
  /** May be given several times; the value is then the list (empty when absent). */
  readonly repeatable?: boolean;
}

/** An integer in `min..max`. */
export interface IntegerFlagSpec extends FlagBase {
  /** The kind of flag. */
  readonly kind: "integer";
  /** Smallest allowed value. */
  readonly min: number;
  /** Largest allowed value. */
  readonly max: number;
  /** Whether the flag must be given. */
  readonly required?: boolean;
  /** Value used when the flag is absent. */
  readonly default?: number;
}

/** A finite number in `min..max` (`min` itself excluded with `minExclusive`). */
export interface NumberFlagSpec extends FlagBase {
  /** The kind of flag. */
  readonly kind: "number";
  /** Smallest allowed value. */
  readonly min: number;
  /** Whether `min` itself is not allowed (the value must be greater). */
  readonly minExclusive?: boolean;
  /** Largest allowed value. */
  readonly max: number;
  /** Whether the flag must be given. */
  readonly required?: boolean;
  /** Value used when the flag is absent. */
  readonly default?: number;
}

/** A comma-separated list of integers in `min..max`, at most `maxItems` of them. */
export interface IntegerListFlagSpec extends FlagBase {
  /** The kind of flag. */
  readonly kind: "integers";
  /** Smallest allowed value of each item. */
  readonly min: number;
  /** Largest allowed value of each item. */
  readonly max: number;
  /** Most items. */
  readonly maxItems: number;
  /** Whether the flag must be given. */
  readonly required?: boolean;
  /** Value used when the flag is absent. */
  readonly default?: readonly number[];
}

/** A switch: `true` when given, `false` otherwise. */
export interface BooleanFlagSpec extends FlagBase {
  /** The kind of flag. */
  readonly kind: "boolean";
}

/** An input file that must exist. Its value is the path as given. */
export interface InputFlagSpec extends FlagBase {
  /** The kind of flag. */
  readonly kind: "input";
  /** Whether the flag must be given. */
  readonly required?: boolean;
  /** Value used when the flag is absent. */
  readonly default?: string;
}

/** An input folder (outputs may not lie inside it). Its value is the path (or name) as given. */
export interface InputFolderFlagSpec extends FlagBase {
  /** The kind of flag. */
  readonly kind: "inputFolder";
  /** What the folder is, for messages. */
  readonly role: FolderRole;
  /** Whether the flag must be given. */
  readonly required?: boolean;
  /** Value used when the flag is absent. */
  readonly default?: string;
  /** The folder need not exist (it is protected all the same). */
  readonly mayBeMissing?: boolean;
  /** Maps the value to the folder (e.g. a data set name); throw an InputError for an unknown one. */
  readonly folderOf?: (value: string) => string;
}

/** An output file. Its value is the resolved real path that will be written. */
export interface OutputFlagSpec extends FlagBase {
  /** The kind of flag. */
  readonly kind: "output";
  /** Whether the flag must be given. */
  readonly required?: boolean;
  /** Value used when the flag is absent. */
  readonly default?: string;
}

/** A folder outputs are written into (created when missing). Its value is the resolved real path. */
export interface OutputFolderFlagSpec extends FlagBase {
  /** The kind of flag. */
  readonly kind: "outputFolder";
  /** Whether the flag must be given. */
  readonly required?: boolean;
  /** Value used when the flag is absent. */
  readonly default?: string;
}

/** A model folder created or replaced as a whole. Its value is the resolved real path. */
export interface OutputModelFlagSpec extends FlagBase {
  /** The kind of flag. */
  readonly kind: "outputModel";
  /** Whether the flag must be given. */
  readonly required?: boolean;
  /** Value used when the flag is absent. */
  readonly default?: string;
}

/** One flag. */
export type FlagSpec =
  | StringFlagSpec
  | IntegerFlagSpec
  | NumberFlagSpec
  | IntegerListFlagSpec
  | BooleanFlagSpec
  | InputFlagSpec
  | InputFolderFlagSpec
  | OutputFlagSpec
  | OutputFolderFlagSpec
  | OutputModelFlagSpec;

/** A tool's flags by the key its code reads them under. */
export type FlagSpecs = { readonly [key: string]: FlagSpec };

/** The largest count a flag accepts (image counts, checks, limits): 2^31 - 1. */
export const MAX_COUNT = 2_147_483_647;
/** The largest seed a flag accepts: 2^32 - 1. */
export const MAX_SEED = 4_294_967_295;

/** The kinds whose values are paths the tool reads. */
export const INPUT_KINDS: readonly FlagSpec["kind"][] = ["input", "inputFolder"];
/** The kinds whose values are paths the tool writes. */
export const OUTPUT_KINDS: readonly FlagSpec["kind"][] = ["output", "outputFolder", "outputModel"];

/** The value type of one flag (before `undefined` is added for optional flags). */
export type FlagValue<S extends FlagSpec> = S extends BooleanFlagSpec ? boolean
  : S extends IntegerFlagSpec | NumberFlagSpec ? number
  : S extends IntegerListFlagSpec ? number[]
  : S extends { readonly repeatable: true } ? string[]
  : S extends { readonly choices: readonly (infer C extends string)[] } ? C
  : string;

/** Whether a flag always has a value: booleans, repeatable ones, required ones and those with a default. */
type AlwaysSet<S> = S extends BooleanFlagSpec ? true
  : S extends { readonly repeatable: true } ? true
  : S extends { readonly required: true } ? true
  : S extends { readonly default: unknown } ? true
  : false;

/** The parsed values of a tool's flags, typed from its specs. */
export type FlagValues<F extends FlagSpecs> = {
  -readonly [K in keyof F]: AlwaysSet<F[K]> extends true ? FlagValue<F[K]> : FlagValue<F[K]> | undefined;
};

/** Result of {@linkcode parseFlags}. */
export interface ParseResult<F extends FlagSpecs> {
  /** Values by key (defaults filled in, output paths resolved). */
  values: FlagValues<F>;
  /** True when help was asked for; the caller prints {@linkcode formatHelp} and exits 0. */
  help: boolean;
  /** The inputs and outputs seen, for checking outputs the tool derives itself (e.g. per-notebook files). */
  guard: PathGuard;
}

function placeholder(spec: FlagSpec): string {
  switch (spec.kind) {
    case "boolean":
      return "";
    case "string":
      return ` <${spec.choices ? spec.choices.join("|") : "text"}>`;
    case "integer":
      return " <integer>";
    case "number":
      return " <number>";
    case "integers":
      return " <n,n,...>";
    case "input":
    case "output":
      return " <file>";
    default:
      return " <folder>";
  }
}

function range(spec: FlagSpec): string {
  if (spec.kind !== "integer" && spec.kind !== "number" && spec.kind !== "integers") return "";
  const low = spec.kind === "number" && spec.minExclusive ? `> ${spec.min}` : `${spec.min}`;
  return ` [${low} .. ${spec.max}]`;
}

/** Formats the help text for a tool. */
export function formatHelp(tool: string, summary: string, specs: FlagSpecs): string {
  const lines = [`Usage: ${tool} [flags]`, "", summary, "", "Flags:"];
  for (const spec of Object.values(specs)) {
    const names = spec.names.join(", ") + placeholder(spec);
    const fallback = "default" in spec && spec.default !== undefined
      ? ` (default: ${Array.isArray(spec.default) ? spec.default.join(",") : spec.default})`
      : "";
    const extra = "required" in spec && spec.required ? " (required)" : fallback;
    const repeat = spec.kind === "string" && spec.repeatable ? " (repeatable)" : "";
    lines.push(`  ${names.padEnd(34)} ${spec.description}${range(spec)}${extra}${repeat}`);
  }
  lines.push(`  ${"-h, --help".padEnd(34)} Show this help`);
  return lines.join("\n");
}

function parseNumber(flag: string, raw: string, integer: boolean): number {
  const what = integer ? "an integer" : "a number";
  const value = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(value)) {
    throw new InputError(`${flag}: expected ${what}, got "${raw}"`);
  }
  if (integer && !Number.isInteger(value)) throw new InputError(`${flag}: expected an integer, got "${raw}"`);
  return value;
}

function checkRange(flag: string, raw: string, value: number, spec: { min: number; max: number }): void {
  const exclusive = "minExclusive" in spec && spec.minExclusive === true;
  if (exclusive ? !(value > spec.min) : value < spec.min) {
    throw new InputError(`${flag}: ${raw} is out of range (must be ${exclusive ? ">" : ">="} ${spec.min})`);
  }
  if (value > spec.max) throw new InputError(`${flag}: ${raw} is out of range (must be <= ${spec.max})`);
}

function convert(spec: FlagSpec, flag: string, raw: string): string | number | number[] {
  switch (spec.kind) {
    case "integer":
    case "number": {
      const value = parseNumber(flag, raw, spec.kind === "integer");
      checkRange(flag, raw, value, spec);
      return value;
    }
    case "integers": {
      const items = raw.split(",").map((item) => item.trim());
      if (items.some((item) => item === "")) {
        throw new InputError(`${flag}: "${raw}" must be integers separated by commas, e.g. 10,20,50`);
      }
      if (items.length > spec.maxItems) {
        throw new InputError(`${flag}: ${items.length} values, at most ${spec.maxItems} allowed`);
      }
      return items.map((item) => {
        const value = parseNumber(flag, item, true);
        checkRange(flag, item, value, spec);
        return value;
      });
    }
    case "boolean":
      throw new Error("convert: booleans take no value");
    default:
      if (raw === "") throw new InputError(`${flag}: empty value`);
      if (spec.kind === "string" && spec.choices && !spec.choices.includes(raw)) {
        throw new InputError(`${flag}: "${raw}" is not one of ${spec.choices.join(", ")}`);
      }
      return raw;
  }
}

function checkPaths(
  specs: FlagSpecs,
  values: Record<string, unknown>,
  spelled: Record<string, string>,
  guard: PathGuard,
): void {
  const entries = Object.entries(specs);
  for (const [key, spec] of entries) {
    const value = values[key];
    if (typeof value !== "string") continue;
    const flag = spelled[key] ?? spec.names[0];
    if (spec.kind === "input") guard.input(flag, value);
    else if (spec.kind === "inputFolder") {
      let folder = value;
      try {
        if (spec.folderOf) folder = spec.folderOf(value);
      } catch (error) {
        if (error instanceof InputError) throw new InputError(`${flag}: ${error.message}`);
        throw error;
      }
      guard.inputFolder(flag, folder, { role: spec.role, mayBeMissing: spec.mayBeMissing });
    }
  }
  for (const [key, spec] of entries) {
    const value = values[key];
    if (typeof value !== "string") continue;
    const flag = spelled[key] ?? spec.names[0];
    if (spec.kind === "output") values[key] = guard.outputFile(flag, value);
    else if (spec.kind === "outputFolder") values[key] = guard.outputFolder(flag, value);
    else if (spec.kind === "outputModel") values[key] = guard.wholeFolder(flag, value);
  }
}

/**
 * Parses `argv` against `specs` and checks every path (see the module doc). Unknown flags, flags given
 * twice, missing values, bad values and refused paths throw {@linkcode InputError}s naming the flag.
 */
export function parseFlags<const F extends FlagSpecs>(argv: readonly string[], specs: F): ParseResult<F> {
  const byName = new Map<string, [string, FlagSpec]>();
  for (const [key, spec] of Object.entries(specs)) {
    for (const name of spec.names) {
      if (byName.has(name)) throw new Error(`parseFlags: ${name} is declared twice`);
      byName.set(name, [key, spec]);
    }
  }
  const values: Record<string, unknown> = {};
  const spelled: Record<string, string> = {};
  const guard = new PathGuard();
  for (let i = 0; i < argv.length; i++) {
    const argument = argv[i];
    if (argument === "-h" || argument === "--help" || argument === "-help") {
      return { values: values as FlagValues<F>, help: true, guard };
    }
    let flag = argument;
    let inline: string | undefined;
    const equals = argument.indexOf("=");
    if (argument.startsWith("--") && equals > 0) {
      flag = argument.slice(0, equals);
      inline = argument.slice(equals + 1);
    }
    const found = byName.get(flag);
    if (!found) {
      if (!flag.startsWith("-")) throw new InputError(`unexpected argument "${argument}"`);
      throw new InputError(`${flag}: unknown flag (see --help)`);
    }
    const [key, spec] = found;
    spelled[key] = flag;
    const repeatable = spec.kind === "string" && spec.repeatable === true;
    if (values[key] !== undefined && !repeatable) throw new InputError(`${flag}: given twice`);
    if (spec.kind === "boolean") {
      if (inline !== undefined) throw new InputError(`${flag}: takes no value`);
      values[key] = true;
      continue;
    }
    const raw = inline ?? argv[++i];
    if (raw === undefined) throw new InputError(`${flag}: missing value`);
    const value = convert(spec, flag, raw);
    if (repeatable) values[key] = [...(values[key] as string[] | undefined ?? []), value];
    else values[key] = value;
  }
  for (const [key, spec] of Object.entries(specs)) {
    if (values[key] !== undefined) continue;
    if (spec.kind === "boolean") values[key] = false;
    else if (spec.kind === "string" && spec.repeatable) values[key] = [];
    else if (spec.required) throw new InputError(`${spec.names[0]}: required flag is missing (see --help)`);
    else if (spec.default !== undefined) {
      values[key] = Array.isArray(spec.default) ? [...spec.default] : spec.default;
    }
  }
  checkPaths(specs, values, spelled, guard);
  return { values: values as FlagValues<F>, help: false, guard };
}
