/**
 * Notebook parameters, papermill-style: every notebook reads its settings (data set, sizes, seeds, where
 * results go) from `LATENTLAB_*` environment variables with typed defaults, so the same notebook runs on
 * the default `mnist-sample` in Jupyter and on `fashion-mnist` at full scale from the command line
 * (`deno task notebooks --param dataset=fashion-mnist`).
 * @module
 */
import { isAbsolute, resolve } from "node:path";
import { InputError } from "../errors.ts";
import { closestName } from "../util/suggest.ts";

/** The prefix of every parameter's environment variable. */
export const PARAM_PREFIX = "LATENTLAB_";

/** A parameter value: its type is taken from the default. */
export type ParamValue = string | number | boolean | number[] | string[];

/** The parameters every notebook has. */
export interface CommonParams {
  /** Data set name or folder (`LATENTLAB_DATASET`, default `mnist-sample`). */
  dataset: string;
  /** Seed for every random choice (`LATENTLAB_SEED`, default 1). */
  seed: number;
  /** Use at most this many dataset (train) images; 0 = all (`LATENTLAB_TRAIN_LIMIT`, default 0). */
  trainLimit: number;
  /** Use at most this many query (test) images; 0 = all (`LATENTLAB_QUERY_LIMIT`, default 0). */
  queryLimit: number;
  /** Folder for tables and figures the notebook writes (`LATENTLAB_RESULTS`, default `../results`), absolute. */
  results: string;
  /** Folder of trained models (`LATENTLAB_MODELS`, default `../models`), absolute. */
  models: string;
}

/** The defaults of {@linkcode CommonParams} (paths relative to the notebook folder). */
export const COMMON_DEFAULTS: Readonly<CommonParams> = Object.freeze({
  dataset: "mnist-sample",
  seed: 1,
  trainLimit: 0,
  queryLimit: 0,
  results: "../results",
  models: "../models",
});

/** Options for {@linkcode notebookParams}. */
export interface NotebookParamsOptions {
  /** Where to read variables from. Default: `Deno.env.toObject()`. */
  env?: Record<string, string | undefined>;
  /** Folder that relative paths (`results`, `models`) are resolved against. Default: `Deno.cwd()`. */
  cwd?: string;
}

/** `trainLimit` → `LATENTLAB_TRAIN_LIMIT`; `train-limit` and `LATENTLAB_TRAIN_LIMIT` give the same. */
export function paramEnvName(key: string): string {
  if (key.startsWith(PARAM_PREFIX)) return key;
  const snake = key.replace(/([a-z0-9])([A-Z])/g, "$1_$2").replace(/[-.\s]/g, "_").toUpperCase();
  return PARAM_PREFIX + snake;
}

function parseValue(name: string, raw: string, fallback: ParamValue): ParamValue {
  const bad = (what: string) => new InputError(`${name}: expected ${what}, got "${raw}"`);
  if (typeof fallback === "number") {
    const value = Number(raw);
    if (raw.trim() === "" || !Number.isFinite(value)) throw bad("a number");
    return value;
  }
  if (typeof fallback === "boolean") {
    const lower = raw.trim().toLowerCase();
    if (["1", "true", "yes", "on"].includes(lower)) return true;
    if (["0", "false", "no", "off", ""].includes(lower)) return false;
    throw bad("true or false");
  }
  if (Array.isArray(fallback)) {
    const items = raw.split(",").map((item) => item.trim()).filter((item) => item !== "");
    if (typeof fallback[0] === "number") {
      return items.map((item) => {
        const value = Number(item);
        if (!Number.isFinite(value)) throw bad("a comma-separated list of numbers");
        return value;
      });
    }
    return items;
  }
  return raw;
}

/**
 * Reads the notebook's parameters: the {@linkcode CommonParams} plus `extra` (name → default; the
 * default's type decides how the variable is parsed: numbers, booleans, comma-separated lists; an empty
 * list default reads strings).
 * Each key `k` is read from `LATENTLAB_<K in upper snake case>`. A malformed value throws an
 * {@linkcode InputError} naming the variable.
 *
 * ```ts
 * const params = notebookParams({ epochs: 5, latentDims: [10, 20] });
 * // LATENTLAB_EPOCHS=2 LATENTLAB_LATENT_DIMS=10,50 → { epochs: 2, latentDims: [10, 50], dataset: "mnist-sample", … }
 * ```
 */
export function notebookParams<T extends Record<string, ParamValue>>(
  extra: T = {} as T,
  options: NotebookParamsOptions = {},
): CommonParams & T {
  const env = options.env ?? Deno.env.toObject();
  const cwd = options.cwd ?? Deno.cwd();
  const defaults: Record<string, ParamValue> = { ...COMMON_DEFAULTS, ...extra };
  const values: Record<string, ParamValue> = {};
  for (const [key, fallback] of Object.entries(defaults)) {
    const name = paramEnvName(key);
    const raw = env[name];
    values[key] = raw === undefined ? fallback : parseValue(name, raw, fallback);
  }
  for (const key of ["results", "models"]) {
    const path = values[key] as string;
    values[key] = isAbsolute(path) ? path : resolve(cwd, path);
  }
  return values as CommonParams & T;
}

/**
 * Turns `key=value` strings (from `--param`) into environment variables:
 * `["dataset=fashion-mnist", "train-limit=1000"]` → `{ LATENTLAB_DATASET: "fashion-mnist", LATENTLAB_TRAIN_LIMIT: "1000" }`.
 */
export function paramsToEnv(pairs: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const equals = pair.indexOf("=");
    if (equals <= 0) throw new InputError(`--param: expected key=value, got "${pair}"`);
    env[paramEnvName(pair.slice(0, equals).trim())] = pair.slice(equals + 1);
  }
  return env;
}

/**
 * The parameters a notebook declares: the keys of the object literal passed to `notebookParams(` in
 * its code cells (`source`), with their defaults when those are literals (numbers, strings, booleans,
 * lists of them; `[] as string[]` is an empty list). A default that is not a literal maps to
 * `undefined` (any value is accepted). The {@linkcode COMMON_DEFAULTS} are not included.
 */
export function declaredParams(source: string): Map<string, ParamValue | undefined> {
  const declared = new Map<string, ParamValue | undefined>();
  const call = /\bnotebookParams\s*(?:<[^>]*>)?\s*\(\s*\{/g;
  for (let match = call.exec(source); match !== null; match = call.exec(source)) {
    for (const [key, text] of objectEntries(source, match.index + match[0].length)) {
      declared.set(key, literalValue(text));
    }
  }
  return declared;
}

/** The top-level `key: value` texts of the object literal whose body starts at `start` (after its `{`). */
function objectEntries(source: string, start: number): [string, string][] {
  const entries: [string, string][] = [];
  let depth = 0;
  let piece = "";
  let quote: string | undefined;
  const flush = () => {
    const colon = topLevelColon(piece);
    if (colon > 0) {
      const key = piece.slice(0, colon).trim().replace(/^["']|["']$/g, "");
      if (/^[A-Za-z_$][\w$]*$/.test(key)) entries.push([key, piece.slice(colon + 1).trim()]);
    }
    piece = "";
  };
  for (let i = start; i < source.length; i++) {
    const c = source[i];
    if (quote) {
      piece += c;
      if (c === "\\") piece += source[++i] ?? "";
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === "/" && source[i + 1] === "/") {
      while (i < source.length && source[i] !== "\n") i++;
      continue;
    }
    if (c === "/" && source[i + 1] === "*") {
      const end = source.indexOf("*/", i + 2);
      i = end < 0 ? source.length : end + 1;
      continue;
    }
    if (c === '"' || c === "'" || c === "`") quote = c;
    else if ("([{".includes(c)) depth += 1;
    else if (")]}".includes(c)) {
      if (depth === 0) {
        flush();
        break;
      }
      depth -= 1;
    } else if (c === "," && depth === 0) {
      flush();
      continue;
    }
    piece += c;
  }
  return entries;
}

function topLevelColon(text: string): number {
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === ":") return i;
    else if ("([{".includes(c)) return -1;
  }
  return -1;
}

function literalValue(text: string): ParamValue | undefined {
  const bare = text.replace(/\s+as\s+[\w$.<>[\], ]+$/, "").trim();
  const json = bare.replace(
    /'((?:[^'\\]|\\.)*)'/g,
    (_, inner: string) => JSON.stringify(inner.replace(/\\'/g, "'")),
  );
  try {
    const value: unknown = JSON.parse(json);
    if (typeof value === "number" || typeof value === "string" || typeof value === "boolean") return value;
    if (Array.isArray(value) && value.every((v) => typeof v === "number")) return value as number[];
    if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value as string[];
  } catch { /* not a literal */ }
  return undefined;
}

/** One declared parameter, for {@linkcode validateParams}. */
export interface ParamDeclaration {
  /** The key as the notebooks write it (e.g. `trainLimit`). */
  key: string;
  /** Its default (its type decides how values parse); `undefined` when not a literal. */
  fallback: ParamValue | undefined;
  /** The notebooks that declare it (empty for the common parameters). */
  notebooks: string[];
}

/** Options for {@linkcode validateParams}. */
export interface ValidateParamsOptions {
  /** Checks a value of `key` beyond its type (e.g. that a data set exists); throw an InputError. */
  check?: (key: string, value: ParamValue) => void;
  /** Keys that may not be set with `--param`, with the reason shown. */
  reserved?: Record<string, string>;
}

/**
 * Checks `key=value` strings (from `--param`) against the declared parameters (by environment
 * name) and turns them into environment variables. An unknown key (with "did you mean …?"), a key
 * given twice, a reserved key, or a value that does not parse as its default's type is an
 * {@linkcode InputError} starting with `--param <key>`.
 */
export function validateParams(
  pairs: readonly string[],
  declared: ReadonlyMap<string, ParamDeclaration>,
  options: ValidateParamsOptions = {},
): Record<string, string> {
  const env: Record<string, string> = {};
  const normalize = (name: string) => paramEnvName(name).toLowerCase().replace(/_/g, "");
  for (const pair of pairs) {
    const equals = pair.indexOf("=");
    if (equals <= 0) throw new InputError(`--param: expected key=value, got "${pair}"`);
    const key = pair.slice(0, equals).trim();
    const raw = pair.slice(equals + 1);
    const name = paramEnvName(key);
    const declaration = declared.get(name);
    if (!declaration) {
      const keys = [...declared.values()].map((d) => d.key);
      const guess = closestName(key, keys, { normalize, maxDistance: 3 });
      throw new InputError(
        `--param ${key}: no notebook to run declares it${guess ? ` (did you mean ${guess}?)` : ""}; known: ${
          keys.join(", ")
        }`,
      );
    }
    if (options.reserved?.[declaration.key]) {
      throw new InputError(`--param ${key}: ${options.reserved[declaration.key]}`);
    }
    if (env[name] !== undefined) throw new InputError(`--param ${key}: given twice`);
    let value: ParamValue = raw;
    if (declaration.fallback !== undefined) {
      try {
        value = parseValue(name, raw, declaration.fallback);
      } catch (error) {
        if (!(error instanceof InputError)) throw error;
        throw new InputError(`--param ${key}: ${error.message.slice(name.length + 2)}`);
      }
    }
    if (options.check) {
      try {
        options.check(declaration.key, value);
      } catch (error) {
        if (!(error instanceof InputError)) throw error;
        throw new InputError(`--param ${key}: ${error.message}`);
      }
    }
    env[name] = raw;
  }
  return env;
}

/** The common parameters as declarations (every notebook has them). */
export function commonDeclarations(): Map<string, ParamDeclaration> {
  const map = new Map<string, ParamDeclaration>();
  for (const [key, fallback] of Object.entries(COMMON_DEFAULTS)) {
    map.set(paramEnvName(key), { key, fallback, notebooks: [] });
  }
  return map;
}
