/**
 * The `cluster` tool's configuration file: one `key: value` per line,
 *
 * ```
 * number_of_clusters: 10      # required, 2 ≤ k ≤ number of points
 * max_iterations: 100         # optional, ≥ 1 (default 100)
 * seed: 0                     # optional, integer ≥ 0 (default 0)
 * ```
 *
 * Blank lines and `#` comments are allowed. Unknown keys, repeated keys, values that are not
 * non-negative integers, values out of range (`number_of_clusters` at most the number of points,
 * `seed` at most 2^32 - 1) and a missing `number_of_clusters` are errors ({@linkcode InputError}
 * naming the file and line).
 * @module
 */
import { InputError } from "../errors.ts";
import { readTextInput } from "../data/idx.ts";

/** A parsed configuration. */
export interface ClusterConfig {
  /** Number of clusters k for the k-medians runs (S1, S2). */
  numberOfClusters: number;
  /** Largest number of Lloyd iterations. */
  maxIterations: number;
  /** Seed of the k-medians seeding. */
  seed: number;
}

/** Defaults of the optional keys. */
export const CLUSTER_CONFIG_DEFAULTS: { maxIterations: number; seed: number } = {
  maxIterations: 100,
  seed: 0,
};

const KEYS: Record<string, { field: keyof ClusterConfig; min: number; max: number }> = {
  number_of_clusters: { field: "numberOfClusters", min: 2, max: 2_147_483_647 },
  max_iterations: { field: "maxIterations", min: 1, max: 2_147_483_647 },
  seed: { field: "seed", min: 0, max: 4_294_967_295 },
};

/** Options for {@linkcode parseClusterConfig}. */
export interface ParseClusterConfigOptions {
  /** When given, `number_of_clusters` must not exceed it (the number of points). */
  pointCount?: number;
}

/** Parses the text of a configuration file; `name` (the path) prefixes every error. */
export function parseClusterConfig(
  text: string,
  name: string,
  options: ParseClusterConfigOptions = {},
): ClusterConfig {
  const found: Partial<ClusterConfig> = {};
  text.split(/\r?\n/).forEach((raw, index) => {
    const where = `${name}:${index + 1}`;
    const line = raw.replace(/#.*$/, "").trim();
    if (line === "") return;
    const match = /^([A-Za-z_][A-Za-z0-9_]*)\s*:\s*(.*)$/.exec(line);
    if (!match) {
      throw new InputError(`${where}: expected "key: value", got ${JSON.stringify(line.slice(0, 60))}`);
    }
    const [, key, value] = match;
    const spec = KEYS[key];
    if (!spec) {
      throw new InputError(`${where}: unknown key "${key}" (known: ${Object.keys(KEYS).join(", ")})`);
    }
    if (found[spec.field] !== undefined) throw new InputError(`${where}: "${key}" is given twice`);
    if (!/^\d+$/.test(value)) {
      throw new InputError(
        `${where}: ${key} must be a non-negative integer, got ${JSON.stringify(value.slice(0, 40))}`,
      );
    }
    const number = Number(value);
    const shown = value.length > 24 ? `${value.slice(0, 20)}... (${value.length} digits)` : value;
    if (key === "number_of_clusters" && options.pointCount !== undefined && number > options.pointCount) {
      throw new InputError(
        `${where}: number_of_clusters = ${shown} exceeds the number of points (${options.pointCount})`,
      );
    }
    if (number > spec.max) {
      throw new InputError(`${where}: ${key} = ${shown} is too large (at most ${spec.max})`);
    }
    if (number < spec.min) throw new InputError(`${where}: ${key} = ${number} must be >= ${spec.min}`);
    found[spec.field] = number;
  });
  if (found.numberOfClusters === undefined) {
    throw new InputError(`${name}: number_of_clusters is missing (e.g. "number_of_clusters: 10")`);
  }
  return {
    numberOfClusters: found.numberOfClusters,
    maxIterations: found.maxIterations ?? CLUSTER_CONFIG_DEFAULTS.maxIterations,
    seed: found.seed ?? CLUSTER_CONFIG_DEFAULTS.seed,
  };
}

/** Formats a configuration (all keys) so that {@linkcode parseClusterConfig} reads it back. */
export function formatClusterConfig(config: ClusterConfig): string {
  return `number_of_clusters: ${config.numberOfClusters}\nmax_iterations: ${config.maxIterations}\nseed: ${config.seed}\n`;
}

/** Reads and parses a configuration file (missing, unreadable or non-UTF-8 files are InputErrors). */
export async function readClusterConfig(
  path: string,
  options: ParseClusterConfigOptions = {},
): Promise<ClusterConfig> {
  return parseClusterConfig(await readTextInput(path), path, options);
}
