/**
 * Notebook parameters, papermill-style: every notebook reads its settings (data set, sizes, seeds, where
 * results go) from `LATENTLAB_*` environment variables with typed defaults, so the same notebook runs on
 * the default `mnist-sample` in Jupyter and on `fashion-mnist` at full scale from the command line
 * (`deno task notebooks --param dataset=fashion-mnist`).
 * @module
 */
import { isAbsolute, resolve } from "node:path";
import { InputError } from "../errors.ts";

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
