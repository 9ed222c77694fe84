/**
 * A small flag parser for the command-line tools. It accepts the original tools' single-dash long
 * flags (`-d`, `-od`, `-model`, `-EMD`) as well as `--long` names, `--flag=value`, and `--help`.
 * Every problem becomes an {@linkcode InputError} naming the flag.
 * @module
 */
import { InputError } from "../errors.ts";

/** The kind of value a flag takes. */
export type FlagType = "string" | "integer" | "number" | "boolean";

/** Declares one flag. */
export interface FlagSpec {
  /** Key in the parsed result. */
  key: string;
  /** Spellings accepted on the command line, e.g. `["-d", "--dataset"]`. The first is shown in help. */
  names: string[];
  /** Value type (booleans take no value). */
  type: FlagType;
  /** Whether the flag must be given. */
  required?: boolean;
  /** Value used when the flag is absent. */
  default?: string | number | boolean;
  /** One line of help. */
  description: string;
  /** For integers and numbers: the smallest allowed value. */
  min?: number;
  /** For integers and numbers: the largest allowed value. */
  max?: number;
  /** For strings: the allowed values. */
  choices?: string[];
}

/** Parsed flags by key. */
export type ParsedFlags = Record<string, string | number | boolean | undefined>;

/** Result of {@linkcode parseFlags}: the values, or `help: true` when `--help`/`-h` was given. */
export interface ParseResult {
  /** Values by key (defaults filled in). */
  values: ParsedFlags;
  /** True when help was asked for; the caller prints {@linkcode formatHelp} and exits 0. */
  help: boolean;
}

/** Formats the help text for a tool. */
export function formatHelp(tool: string, summary: string, specs: FlagSpec[]): string {
  const lines = [`Usage: ${tool} [flags]`, "", summary, "", "Flags:"];
  for (const spec of specs) {
    const value = spec.type === "boolean" ? "" : ` <${spec.choices ? spec.choices.join("|") : spec.type}>`;
    const names = spec.names.join(", ") + value;
    const extra = spec.required
      ? " (required)"
      : spec.default !== undefined
      ? ` (default: ${spec.default})`
      : "";
    lines.push(`  ${names.padEnd(34)} ${spec.description}${extra}`);
  }
  lines.push(`  ${"-h, --help".padEnd(34)} Show this help`);
  return lines.join("\n");
}

function convert(spec: FlagSpec, flag: string, raw: string): string | number {
  if (spec.type === "string") {
    if (raw === "") throw new InputError(`${flag}: empty value`);
    if (spec.choices && !spec.choices.includes(raw)) {
      throw new InputError(`${flag}: "${raw}" is not one of ${spec.choices.join(", ")}`);
    }
    return raw;
  }
  const value = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(value)) {
    throw new InputError(
      `${flag}: expected ${spec.type === "integer" ? "an integer" : "a number"}, got "${raw}"`,
    );
  }
  if (spec.type === "integer" && !Number.isInteger(value)) {
    throw new InputError(`${flag}: expected an integer, got "${raw}"`);
  }
  if (spec.min !== undefined && value < spec.min) {
    throw new InputError(`${flag}: ${raw} is out of range (must be >= ${spec.min})`);
  }
  if (spec.max !== undefined && value > spec.max) {
    throw new InputError(`${flag}: ${raw} is out of range (must be <= ${spec.max})`);
  }
  return value;
}

/** Parses `argv` against `specs`. Unknown flags, missing values and bad values throw {@linkcode InputError}. */
export function parseFlags(argv: string[], specs: FlagSpec[]): ParseResult {
  const byName = new Map<string, FlagSpec>();
  for (const spec of specs) for (const name of spec.names) byName.set(name, spec);
  const values: ParsedFlags = {};
  for (let i = 0; i < argv.length; i++) {
    const argument = argv[i];
    if (argument === "-h" || argument === "--help" || argument === "-help") return { values, help: true };
    let flag = argument;
    let inline: string | undefined;
    const equals = argument.indexOf("=");
    if (argument.startsWith("--") && equals > 0) {
      flag = argument.slice(0, equals);
      inline = argument.slice(equals + 1);
    }
    const spec = byName.get(flag);
    if (!spec) {
      if (!flag.startsWith("-")) throw new InputError(`unexpected argument "${argument}"`);
      throw new InputError(`${flag}: unknown flag (see --help)`);
    }
    if (spec.type === "boolean") {
      if (inline !== undefined) throw new InputError(`${flag}: takes no value`);
      values[spec.key] = true;
      continue;
    }
    const raw = inline ?? argv[++i];
    if (raw === undefined) throw new InputError(`${flag}: missing value`);
    values[spec.key] = convert(spec, flag, raw);
  }
  for (const spec of specs) {
    if (values[spec.key] !== undefined) continue;
    if (spec.required) throw new InputError(`${spec.names[0]}: required flag is missing (see --help)`);
    if (spec.default !== undefined) values[spec.key] = spec.default;
  }
  return { values, help: false };
}
