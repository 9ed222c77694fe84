/**
 * Names of the temporaries latentlab's writers leave beside their targets while they work:
 * `.<target name>.latentlab-<pid>-<n>.<role>`, where `role` is
 *
 * - `tmp`: new content (a file or a folder) waiting to be renamed onto the target;
 * - `old`: the previous target, moved aside during a commit (restored if the commit fails);
 * - `probe`: an empty file that proves a folder is writable;
 * - `snap`: a snapshot folder that can put a results folder back as it was.
 *
 * The process id tells a later run whether the writer is still alive (see
 * {@linkcode processAlive}); the temporaries of a dead writer are stale.
 * @module
 */
import { basename, dirname, join } from "node:path";
import { existsSync } from "node:fs";

/** What a temporary is for (the last part of its name). */
export type TemporaryRole = "tmp" | "old" | "probe" | "snap";

/** A temporary's name taken apart by {@linkcode parseTemporaryName}. */
export interface TemporaryName {
  /** Name of the target in the same folder. */
  target: string;
  /** Process id of the writer. */
  pid: number;
  /** What it is for. */
  role: TemporaryRole;
}

const PATTERN = /^\.(.+)\.latentlab-(\d+)-(\d+)\.(tmp|old|probe|snap)$/;
/** The names of the writers before this scheme: `.<target>.<pid>.<n>.tmp` (and `.tmp.old` for models). */
const LEGACY_PATTERN = /^\.(.+)\.(\d+)\.(\d+)\.tmp(\.old)?$/;

let counter = 0;

/** A fresh temporary path beside `target` for `role`, unique within this process. */
export function temporaryPath(target: string, role: TemporaryRole): string {
  counter += 1;
  return join(dirname(target), `.${basename(target)}.latentlab-${Deno.pid}-${counter}.${role}`);
}

/** Takes a temporary's file name apart; `undefined` when `name` is not one. */
export function parseTemporaryName(name: string): TemporaryName | undefined {
  const match = PATTERN.exec(name);
  if (match) return { target: match[1], pid: Number(match[2]), role: match[4] as TemporaryRole };
  const legacy = LEGACY_PATTERN.exec(name);
  if (legacy) return { target: legacy[1], pid: Number(legacy[2]), role: legacy[4] ? "old" : "tmp" };
  return undefined;
}

/** Whether the earlier writers' naming scheme produced `name` (only removed when its target is known). */
export function isLegacyTemporaryName(name: string): boolean {
  return LEGACY_PATTERN.test(name) && !PATTERN.test(name);
}

/**
 * Whether process `pid` is running. Where this cannot be told (no `/proc`), every process counts as
 * running, so nothing of a live writer is ever removed.
 */
export function processAlive(pid: number): boolean {
  if (pid === Deno.pid) return true;
  if (!existsSync("/proc/self")) return true;
  return existsSync(`/proc/${pid}`);
}
