/** Shared helpers for the notebook tests. */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { PROJECT_ROOT } from "../../lib/util/project_root.ts";
import { type Cell, joinText } from "../../lib/notebook/ipynb.ts";
import { PROJECT_JUPYTER_PATH } from "../../lib/notebook/kernelspec.ts";
import { type ChildRun, runDeno } from "../_helpers.ts";

/** The folder of fixture notebooks. */
export const FIXTURES: string = join(PROJECT_ROOT, "tests", "fixtures", "notebooks");

/** The processes (pids) whose process group is `pgid` (Linux /proc), or `undefined` without /proc. */
export function processesInGroup(pgid: number): number[] | undefined {
  if (!existsSync("/proc/self/stat")) return undefined;
  const members: number[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
      // Fields after the command name (which is in parentheses): state ppid pgrp ...
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) === pgid) members.push(Number(entry.name));
    } catch { /* exited meanwhile */ }
  }
  return members;
}

/** Asserts that `text` (a page) contains every one of `parts`, naming the first one missing. */
export function assertIncludesAll(text: string, parts: readonly string[]): void {
  for (const part of parts) assert.ok(text.includes(part), `missing: ${part}`);
}

/** The descendants of process `pid` with their command lines (Linux /proc), or `undefined` without /proc. */
export function descendants(pid: number): { pid: number; command: string }[] | undefined {
  if (!existsSync("/proc/self/stat")) return undefined;
  const parents = new Map<number, number>();
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
      parents.set(Number(entry.name), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch { /* exited meanwhile */ }
  }
  const found: { pid: number; command: string }[] = [];
  for (const [child] of parents) {
    let ancestor = parents.get(child);
    while (ancestor !== undefined && ancestor > 1 && ancestor !== pid) ancestor = parents.get(ancestor);
    if (ancestor !== pid) continue;
    try {
      found.push({
        pid: child,
        command: Deno.readTextFileSync(`/proc/${child}/cmdline`).split("\0").join(" ").trim(),
      });
    } catch { /* exited meanwhile */ }
  }
  return found;
}

/** All stream text of a cell by stream name. */
export function streamText(cell: Cell, name: "stdout" | "stderr" = "stdout"): string {
  return (cell.outputs ?? []).filter((o) => o.output_type === "stream" && o.name === name)
    .map((o) => joinText((o as { text: string[] }).text)).join("");
}

/** The cell with id `id`. */
export function cellById(cells: Cell[], id: string): Cell {
  const cell = cells.find((c) => c.id === id);
  if (!cell) throw new Error(`no cell ${id}`);
  return cell;
}

/** The arguments of `deno` that run `lib/cli/notebooks.ts` on the fixture notebook `only`, writing into `out`. */
export function notebooksCliArgs(only: string, out: string, extra: string[] = []): string[] {
  return [
    "run",
    "-A",
    "lib/cli/notebooks.ts",
    "--notebooks",
    FIXTURES,
    "--only",
    only,
    "--out",
    out,
    ...extra,
  ];
}

/**
 * Runs `lib/cli/notebooks.ts` on the fixture notebook `only`, writing into `out`, with extra flags. The
 * executed notebooks are signed in the Jupyter data folder `<out>/.jupyter` (not the user's).
 */
export function runNotebooksCli(only: string, out: string, extra: string[] = []): Promise<ChildRun> {
  return runDeno(notebooksCliArgs(only, out, extra), {
    cwd: PROJECT_ROOT,
    env: { NO_COLOR: "1", JUPYTER_DATA_DIR: join(out, ".jupyter") },
  });
}

/** Options for {@linkcode nbconvertExecute}. */
export interface NbconvertExecuteOptions {
  /** Folder the executed notebooks are written to. */
  outputDir: string;
  /** Jupyter's runtime folder (connection files). */
  runtimeDir: string;
  /** `--ExecutePreprocessor.timeout`, in seconds per cell. */
  cellTimeoutS: number;
  /** Extra environment variables for nbconvert and the kernel. */
  env?: Record<string, string>;
}

/**
 * Runs `jupyter-nbconvert --to notebook --execute` (the binary at `nbconvert`) on `notebooks` from the
 * project root, with the project-local kernelspec (`JUPYTER_PATH`) and this Deno first on `PATH`.
 */
export function nbconvertExecute(
  nbconvert: string,
  notebooks: readonly string[],
  options: NbconvertExecuteOptions,
): Promise<Deno.CommandOutput> {
  return new Deno.Command(nbconvert, {
    args: [
      "--to",
      "notebook",
      "--execute",
      `--ExecutePreprocessor.timeout=${options.cellTimeoutS}`,
      "--output-dir",
      options.outputDir,
      ...notebooks,
    ],
    cwd: PROJECT_ROOT,
    env: {
      JUPYTER_PATH: PROJECT_JUPYTER_PATH,
      JUPYTER_RUNTIME_DIR: options.runtimeDir,
      PATH: `${dirname(Deno.execPath())}${delimiter}${Deno.env.get("PATH") ?? ""}`,
      ...options.env,
    },
  }).output();
}
