/**
 * Clearing up after a writer that was killed (SIGKILL, a crash, a power cut) before it could remove its
 * temporaries. Their names (see `_names.ts`) carry the writer's process id; when that process is no
 * longer running, {@linkcode removeStaleTemporaries} finishes the job:
 *
 * - `tmp` (unfinished new content), `probe`: removed;
 * - `old` (a previous target moved aside during a commit): put back when its target is missing,
 *   otherwise removed;
 * - `snap` (a results folder snapshot): restored when complete, otherwise removed (`snapshot.ts`);
 * - the earlier writers' `.<target>.<pid>.<n>.tmp`: removed only when `<target>` is one of the given
 *   targets (that name was not reserved to latentlab).
 * @module
 */
import { join } from "node:path";
import { isLegacyTemporaryName, parseTemporaryName, processAlive } from "./_names.ts";
import { restoreSnapshotDir } from "./snapshot.ts";
import { pathExists } from "./exists.ts";

/** Options for {@linkcode removeStaleTemporaries}. */
export interface StaleOptions {
  /** Target names in the folder whose temporaries of the earlier naming scheme are removed too. */
  legacyTargets?: readonly string[];
}

/**
 * Removes (or, for `old` and `snap`, puts back) the temporaries in `folder` whose writer is no
 * longer running; returns their names. A folder that cannot be read is skipped.
 */
export async function removeStaleTemporaries(folder: string, options: StaleOptions = {}): Promise<string[]> {
  const handled: string[] = [];
  let entries: Deno.DirEntry[];
  try {
    entries = [];
    for await (const entry of Deno.readDir(folder)) entries.push(entry);
  } catch {
    return handled;
  }
  const legacyTargets = new Set(options.legacyTargets ?? []);
  // Snapshots first (they may put files back), then what was moved aside, then the rest.
  const order = { snap: 0, old: 1, tmp: 2, probe: 2 } as const;
  const stale = entries
    .map((entry) => ({ entry, name: parseTemporaryName(entry.name) }))
    .filter(({ entry, name }) =>
      name !== undefined && !processAlive(name.pid) &&
      (!isLegacyTemporaryName(entry.name) || legacyTargets.has(name.target))
    )
    .sort((a, b) => order[a.name!.role] - order[b.name!.role]);
  for (const { entry, name } of stale) {
    const path = join(folder, entry.name);
    try {
      if (name!.role === "snap" && entry.isDirectory) await restoreSnapshotDir(path);
      else if (name!.role === "old" && !(await pathExists(join(folder, name!.target)))) {
        await Deno.rename(path, join(folder, name!.target));
      } else await Deno.remove(path, { recursive: true });
      handled.push(entry.name);
    } catch { /* gone meanwhile, or not ours to touch: leave it */ }
  }
  return handled;
}
