/**
 * Timing LSH searches fairly on a noisy machine: several settings (an index and search options each)
 * are warmed up, then searched in rounds — every setting once per round — so that a slow spell of the
 * machine falls on all of them rather than on one; each setting's time is the median of its rounds.
 * @module
 */
import process from "node:process";
import type { L1Vectors } from "../simd/l1.ts";
import type { LshSearchOptions, LshSearchResult } from "./lsh.ts";
import type { ParallelLshIndex } from "./lsh_parallel.ts";

/** One setting to time: an index and the options of its search. */
export interface TimedLshSetting {
  /** The index searched. */
  index: Pick<ParallelLshIndex, "dim" | "search">;
  /** Its search options. */
  options?: LshSearchOptions;
}

/** Options for {@linkcode timeLshSearches}. */
export interface TimeLshOptions {
  /** Timed searches of all queries per setting (rounds; default 3). */
  runs?: number;
  /** Warm-up per setting before the rounds, in milliseconds (default 500). */
  warmUpMs?: number;
  /** Queries searched repeatedly by the warm-up (the first ones; default 200). */
  warmUpQueries?: number;
}

/** A timed setting: the result of its last search, with `ms` the median wall time of its rounds. */
export interface TimedLshResult extends LshSearchResult {
  /** Median CPU milliseconds of the rounds: the process's CPU time over all its threads (Workers included). */
  cpuMs: number;
  /** Wall milliseconds of every round. */
  runsMs: number[];
  /** CPU milliseconds of every round. */
  cpuRunsMs: number[];
}

/** CPU milliseconds of this process, all threads. */
function cpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/** The median of `values` (the upper one of an even count). */
function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[values.length >> 1];
}

/**
 * Times every setting's search of all `queries`: each warmed up for `warmUpMs`, then `runs` rounds in
 * which every setting searches once, in order. Returns, per setting, its last result with the median
 * wall and CPU times of its rounds.
 */
export async function timeLshSearches(
  settings: readonly TimedLshSetting[],
  queries: L1Vectors,
  options: TimeLshOptions = {},
): Promise<TimedLshResult[]> {
  const runs = options.runs ?? 3;
  const warmUpMs = options.warmUpMs ?? 500;
  const warmUpQueries = options.warmUpQueries ?? 200;
  if (!Number.isInteger(runs) || runs < 1) {
    throw new RangeError(`timeLshSearches: runs must be >= 1, got ${runs}`);
  }
  for (const { index, options: search } of settings) {
    const first = queries.subarray(0, Math.min(queries.length, warmUpQueries * index.dim));
    for (const started = performance.now(); performance.now() - started < warmUpMs;) {
      await index.search(first, search);
    }
  }
  const last: LshSearchResult[] = [];
  const walls = settings.map(() => [] as number[]);
  const cpus = settings.map(() => [] as number[]);
  for (let run = 0; run < runs; run++) {
    for (const [i, { index, options: search }] of settings.entries()) {
      const cpu0 = cpuMs();
      const result = await index.search(queries, search);
      cpus[i].push(cpuMs() - cpu0);
      walls[i].push(result.ms);
      last[i] = result;
    }
  }
  return settings.map((_, i) => ({
    ...last[i],
    ms: median(walls[i]),
    cpuMs: median(cpus[i]),
    runsMs: walls[i],
    cpuRunsMs: cpus[i],
  }));
}
