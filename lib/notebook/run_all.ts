/**
 * The main job: execute every notebook of a folder (sorted by name) headless, and write the executed
 * notebooks, their standalone HTML reports and `index.html` into a results folder. Tables the notebooks
 * write land there too (they get `LATENTLAB_RESULTS`).
 *
 * A notebook's results are replaced together or not at all. Before it runs, the results folder is
 * snapshotted (`lib/io/snapshot.ts`); when it succeeds, its executed notebook and HTML report are
 * committed together with the tables it wrote; when a cell fails, the folder is put back as it was
 * and the failed run is written beside the previous results as `<name>.failed.ipynb` and
 * `<name>.failed.html`; when the run is interrupted (`signal`), the folder is put back and nothing is
 * written. A run that was killed is undone by the next one (its snapshot is stale).
 * @module
 */
import { basename, join, resolve } from "node:path";
import { InputError } from "../errors.ts";
import { OutputSet } from "../io/commit.ts";
import { createSnapshot, releaseSnapshot, restoreSnapshot, type Snapshot } from "../io/snapshot.ts";
import { removeStaleTemporaries } from "../io/stale.ts";
import { holdingSignals } from "../io/interrupt.ts";
import { serializeNotebook } from "./ipynb.ts";
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
import { preparePublication, type PublishOptions } from "./publish.ts";
import { signNotebook } from "./trust.ts";
import { pathExists } from "../io/exists.ts";

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
  /** Aborting kills the running kernel, puts the results folder back as it was, and stops. */
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
  /** Executed notebook path (for a failed run: the `.failed.ipynb` copy beside the previous results). */
  executedPath: string;
  /** HTML report path (when written; for a failed run: the `.failed.html` copy). */
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
  /** True when the run was stopped by `signal`. */
  interrupted: boolean;
}

/** The names of the files {@linkcode runAllNotebooks} writes itself for the notebook `path`. */
export function resultFileNames(
  path: string,
): { executed: string; html: string; failed: string; failedHtml: string } {
  const name = basename(path).replace(/\.ipynb$/, "");
  return {
    executed: `${name}.ipynb`,
    html: reportName(path),
    failed: `${name}.failed.ipynb`,
    failedHtml: `${name}.failed.html`,
  };
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
  await removeStaleTemporaries(outDir);
  const all = await listNotebooks(notebooksDir);
  let paths = all;
  if (options.only && options.only.length > 0) {
    paths = paths.filter((path) => options.only!.some((prefix) => basename(path).startsWith(prefix)));
  }
  if (paths.length === 0) {
    throw new InputError(
      `${notebooksDir}: no notebooks to run${options.only ? ` (--only ${options.only.join(",")})` : ""}`,
    );
  }
  // The files this function replaces itself (never snapshotted, never touched by a restore).
  const managed = ["index.html", ...all.flatMap((path) => Object.values(resultFileNames(path)))];
  const env = { LATENTLAB_RESULTS: outDir, ...options.env };
  const html = options.html ?? true;
  const plotlyJs = plotlyJsSource();
  const notebooks: NotebookSummary[] = [];
  const started = performance.now();
  let interrupted = false;
  log(`notebooks: running ${paths.length} notebook(s) from ${notebooksDir} into ${outDir}`);
  for (const [i, path] of paths.entries()) {
    if (options.signal?.aborted) {
      interrupted = true;
      break;
    }
    const name = basename(path);
    const files = resultFileNames(path);
    log(`[${i + 1}/${paths.length}] ${name}`);
    const snapshot = await createSnapshot(outDir, { exclude: managed });
    let summary: NotebookSummary;
    try {
      const result = await executeNotebook(path, {
        env,
        params: options.env ?? {},
        cellTimeoutMs: options.cellTimeoutMs ?? DEFAULT_CELL_TIMEOUT_MS,
        onCell: (progress) => {
          if (progress.phase !== "start") log(cellLine(progress));
        },
        signal: options.signal,
      });
      if (options.signal?.aborted) {
        await restoreSnapshot(snapshot);
        interrupted = true;
        break;
      }
      summary = await commitResults(outDir, {
        path,
        result,
        snapshot,
        files,
        html,
        plotlyJs,
        publish: options.publish ?? {},
      });
    } catch (error) {
      await restoreSnapshot(snapshot);
      throw error;
    }
    notebooks.push(summary);
    log(
      `[${i + 1}/${paths.length}] ${name}: ${summary.failure ? "FAILED" : "ok"} in ${
        formatDuration(summary.run.durationMs)
      }` +
        (summary.htmlPath ? ` -> ${basename(summary.htmlPath)}` : ""),
    );
    await writeIndex(outDir);
    if (summary.failure) {
      log(`notebooks: error: ${summary.failure}`);
      if (options.failFast) break;
    }
  }
  const indexPath = join(outDir, "index.html");
  const failed = notebooks.filter((notebook) => notebook.failure);
  const ok = failed.length === 0 && notebooks.length === paths.length;
  log(
    `notebooks: ${notebooks.length - failed.length}/${paths.length} ok in ${
      formatDuration(performance.now() - started)
    }${
      interrupted ? " (interrupted; the results of the notebook that was running were left as they were)" : ""
    }; ` +
      `index: ${indexPath}`,
  );
  return { notebooks, indexPath, ok, interrupted };
}

interface CommitRequest {
  path: string;
  result: Awaited<ReturnType<typeof executeNotebook>>;
  snapshot: Snapshot;
  files: ReturnType<typeof resultFileNames>;
  html: boolean;
  plotlyJs: string;
  publish: PublishOptions;
}

/**
 * A successful run: its notebook, report and tables replace the previous ones together, and earlier
 * failed copies go. A failed run: the folder is put back as it was and the failed notebook and
 * report are written beside the previous results.
 */
async function commitResults(outDir: string, request: CommitRequest): Promise<NotebookSummary> {
  const { path, result, snapshot, files } = request;
  const failure = result.run.failure ? describeFailure(path, result.run.failure) : undefined;
  if (failure) await restoreSnapshot(snapshot);
  const executedPath = join(outDir, failure ? files.failed : files.executed);
  const htmlPath = request.html ? join(outDir, failure ? files.failedHtml : files.html) : undefined;
  await preparePublication(result.notebook, { plotlyJs: request.plotlyJs, ...request.publish });
  const outputs = new OutputSet();
  try {
    await outputs.addFile(executedPath, serializeNotebook(result.notebook));
    if (htmlPath) {
      const page = await notebookToHtml(result.notebook, {
        sourceName: basename(path),
        plotlyJs: request.plotlyJs,
      });
      await outputs.addFile(htmlPath, page);
    }
    if (!failure) {
      for (const stale of [files.failed, files.failedHtml]) {
        if (await pathExists(join(outDir, stale))) outputs.addRemoval(join(outDir, stale));
      }
    }
    await holdingSignals(async () => {
      if (!failure) await releaseSnapshot(snapshot);
      await outputs.commit();
    });
  } finally {
    await outputs.discard();
  }
  const sign = request.publish.sign ?? true;
  if (sign !== false) await signNotebook(result.notebook, sign === true ? {} : sign);
  return { path, executedPath, htmlPath, run: result.run, failure };
}
