/**
 * The main job: execute every notebook of a folder (sorted by name) headless, and write the executed
 * notebooks, their standalone HTML reports and `index.html` into a results folder. Tables the notebooks
 * write land there too (they get `LATENTLAB_RESULTS`).
 * @module
 */
import { basename, join, resolve } from "node:path";
import { InputError } from "../errors.ts";
import { writeFileAtomic } from "../io/atomic.ts";
import {
  type CellProgress,
  DEFAULT_CELL_TIMEOUT_MS,
  describeFailure,
  executeNotebook,
  type RunRecord,
} from "./executor.ts";
import { formatDuration, notebookToHtml, reportName } from "./html.ts";
import { writeIndex } from "./index_page.ts";
import { plotlyJsSource } from "../report/plotly.ts";
import { publishNotebook, type PublishOptions } from "./publish.ts";

/** Options for {@linkcode runAllNotebooks}. */
export interface RunAllOptions {
  /** Folder of the results (created). */
  outDir: string;
  /** Environment variables (parameters) for every notebook; `LATENTLAB_RESULTS` defaults to `outDir`. */
  env?: Record<string, string>;
  /** Run only notebooks whose file name starts with one of these (e.g. `["00", "B_"]`). Default: all. */
  only?: string[];
  /** Per-cell timeout, milliseconds. Default {@linkcode DEFAULT_CELL_TIMEOUT_MS}. */
  cellTimeoutMs?: number;
  /** Write HTML reports. Default true. */
  html?: boolean;
  /** Stop after the first failing notebook. Default false (run the others, report all failures). */
  failFast?: boolean;
  /** Where progress lines go. Default `console.log`. */
  log?: (line: string) => void;
  /** Aborting kills the running kernel and stops. */
  signal?: AbortSignal;
  /**
   * How executed notebooks are written for Jupyter (see `publish.ts`): static figure images (default: when
   * chromium is there) and signing for the user's Jupyter (default: yes, like notebooks Jupyter ran).
   */
  publish?: PublishOptions;
}

/** The outcome of one notebook. */
export interface NotebookSummary {
  /** Notebook path. */
  path: string;
  /** Executed notebook path. */
  executedPath: string;
  /** HTML report path (when written). */
  htmlPath?: string;
  /** The run record. */
  run: RunRecord;
  /** One line naming notebook and cell, when it failed. */
  failure?: string;
}

/** The outcome of {@linkcode runAllNotebooks}. */
export interface RunAllSummary {
  /** Per notebook, in run order. */
  notebooks: NotebookSummary[];
  /** Path of `index.html`. */
  indexPath: string;
  /** True when every notebook ran without error. */
  ok: boolean;
}

/** The notebooks (`*.ipynb`, not hidden, not checkpoints) in `folder`, sorted by name. */
export async function listNotebooks(folder: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(folder)) {
      if (entry.isFile && entry.name.endsWith(".ipynb") && !entry.name.startsWith(".")) {
        names.push(entry.name);
      }
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) throw new InputError(`${folder}: no such notebook folder`);
    throw error;
  }
  return names.sort().map((name) => join(folder, name));
}

function cellLine(progress: CellProgress): string {
  const mark = progress.phase === "ok" ? "ok " : progress.phase.toUpperCase();
  const time = formatDuration(progress.durationMs ?? 0).padStart(9);
  return `  [${
    progress.notebook.replace(/\.ipynb$/, "")
  } ${progress.codeCell}/${progress.codeCells}] ${mark} ${time}  ${progress.firstLine}`;
}

/** Executes every notebook in `notebooksDir` and writes the results (see the module doc). */
export async function runAllNotebooks(notebooksDir: string, options: RunAllOptions): Promise<RunAllSummary> {
  const log = options.log ?? ((line: string) => console.log(line));
  const outDir = resolve(options.outDir);
  await Deno.mkdir(outDir, { recursive: true });
  let paths = await listNotebooks(notebooksDir);
  if (options.only && options.only.length > 0) {
    paths = paths.filter((path) => options.only!.some((prefix) => basename(path).startsWith(prefix)));
  }
  if (paths.length === 0) {
    throw new InputError(
      `${notebooksDir}: no notebooks to run${options.only ? ` (--only ${options.only.join(",")})` : ""}`,
    );
  }
  const env = { LATENTLAB_RESULTS: outDir, ...options.env };
  const html = options.html ?? true;
  const plotlyJs = plotlyJsSource();
  const notebooks: NotebookSummary[] = [];
  const started = performance.now();
  log(`notebooks: running ${paths.length} notebook(s) from ${notebooksDir} into ${outDir}`);
  for (const [i, path] of paths.entries()) {
    if (options.signal?.aborted) break;
    const name = basename(path);
    log(`[${i + 1}/${paths.length}] ${name}`);
    const executedPath = join(outDir, name);
    const result = await executeNotebook(path, {
      outputPath: executedPath,
      env,
      params: options.env ?? {},
      cellTimeoutMs: options.cellTimeoutMs ?? DEFAULT_CELL_TIMEOUT_MS,
      onCell: (progress) => {
        if (progress.phase !== "start") log(cellLine(progress));
      },
      signal: options.signal,
    });
    await publishNotebook(result.notebook, executedPath, { plotlyJs, ...options.publish });
    const summary: NotebookSummary = { path, executedPath, run: result.run };
    if (html) {
      summary.htmlPath = join(outDir, reportName(path));
      await writeFileAtomic(
        summary.htmlPath,
        await notebookToHtml(result.notebook, { sourceName: name, plotlyJs }),
      );
    }
    if (result.run.failure) summary.failure = describeFailure(path, result.run.failure);
    notebooks.push(summary);
    log(
      `[${i + 1}/${paths.length}] ${name}: ${summary.failure ? "FAILED" : "ok"} in ${
        formatDuration(result.run.durationMs)
      }` +
        (summary.htmlPath ? ` -> ${basename(summary.htmlPath)}` : ""),
    );
    if (summary.failure) {
      log(`notebooks: error: ${summary.failure}`);
      if (options.failFast) break;
    }
  }
  const indexPath = await writeIndex(outDir);
  const failed = notebooks.filter((notebook) => notebook.failure);
  const ok = failed.length === 0 && notebooks.length === paths.length;
  log(
    `notebooks: ${notebooks.length - failed.length}/${paths.length} ok in ${
      formatDuration(performance.now() - started)
    }; ` +
      `index: ${indexPath}`,
  );
  return { notebooks, indexPath, ok };
}
