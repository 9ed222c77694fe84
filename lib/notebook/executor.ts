/**
 * The headless notebook executor: runs every code cell of a notebook in order on a fresh Deno kernel,
 * collects all outputs, and writes the executed notebook. No Python, no Jupyter installation.
 * @module
 */
import { basename, dirname, resolve } from "node:path";
import { KernelClient } from "./jupyter_kernel.ts";
import {
  appendStream,
  bundleForNotebook,
  type Cell,
  type CellOutput,
  cleanCopy,
  joinText,
  type MimeBundle,
  type Notebook,
  readNotebook,
  writeNotebook,
} from "./ipynb.ts";
import type { JupyterMessage } from "./protocol.ts";

/** Default per-cell timeout: 10 minutes. */
export const DEFAULT_CELL_TIMEOUT_MS = 600_000;

/** Progress of one cell, reported to {@linkcode ExecuteNotebookOptions.onCell}. */
export interface CellProgress {
  /** The notebook's file name. */
  notebook: string;
  /** 1-based number of the code cell among the notebook's code cells. */
  codeCell: number;
  /** Number of code cells. */
  codeCells: number;
  /** 1-based position of the cell among all cells. */
  cell: number;
  /** `start` before the cell runs; otherwise how it ended. */
  phase: "start" | "ok" | "error" | "timeout" | "died";
  /** Wall time of the cell (ended phases only), milliseconds. */
  durationMs?: number;
  /** First line of the cell's source. */
  firstLine: string;
}

/** Options for {@linkcode executeNotebook}. */
export interface ExecuteNotebookOptions {
  /** Write the executed notebook here (also on failure, with the outputs so far). */
  outputPath?: string;
  /** Extra environment variables for the kernel, e.g. from {@linkcode paramsToEnv}. */
  env?: Record<string, string>;
  /** The parameters to record in the run record (shown in reports). Default: `env`. */
  params?: Record<string, string>;
  /**
   * Per-cell timeout in milliseconds (default {@linkcode DEFAULT_CELL_TIMEOUT_MS}). A cell may set its own
   * in its metadata: `{"latentlab": {"timeout_s": 1800}}`.
   */
  cellTimeoutMs?: number;
  /** Quiet period on iopub after each cell, milliseconds (see {@linkcode KernelClient.execute}). */
  quietMs?: number;
  /** Called before and after every code cell. */
  onCell?: (progress: CellProgress) => void;
  /** Aborting kills the kernel; the running cell ends as `died` ("interrupted"). */
  signal?: AbortSignal;
}

/** Where and why a run stopped. */
export interface CellFailure {
  /** 1-based position among all cells. */
  cell: number;
  /** 1-based number among code cells. */
  codeCell: number;
  /** The cell's id. */
  id: string;
  /** `error`, `timeout` or `died`. */
  reason: "error" | "timeout" | "died";
  /** One line: the error name and message, or what happened. */
  message: string;
  /** First line of the cell's source. */
  firstLine: string;
}

/** The run record stored in the executed notebook's `metadata.latentlab.run`. */
export interface RunRecord {
  /** `ok` or the failure reason. */
  status: "ok" | "error" | "timeout" | "died";
  /** ISO time the kernel was started. */
  startedAt: string;
  /** Total wall time, milliseconds (kernel start to shutdown). */
  durationMs: number;
  /** Environment variables passed as parameters. */
  params: Record<string, string>;
  /** Deno version that ran it. */
  deno: string;
  /** Per code cell: id and wall time in milliseconds. */
  cells: { id: string; durationMs: number }[];
  /** The failure, when `status` is not `ok`. */
  failure?: CellFailure;
}

/** The result of {@linkcode executeNotebook}. */
export interface NotebookRun {
  /** The source notebook's path. */
  path: string;
  /** The executed notebook. */
  notebook: Notebook;
  /** The run record (also in `notebook.metadata.latentlab.run`). */
  run: RunRecord;
  /** Process id the kernel had (gone when this returns). */
  kernelPid: number;
}

/** Formats a failure as one line naming the notebook and the cell. */
export function describeFailure(path: string, failure: CellFailure): string {
  const what = failure.reason === "error"
    ? "failed"
    : failure.reason === "timeout"
    ? "timed out"
    : failure.message === "interrupted"
    ? "was interrupted"
    : "killed the kernel";
  return `${basename(path)}: code cell ${failure.codeCell} (cell ${failure.cell}, id ${failure.id}, ` +
    `"${failure.firstLine}") ${what}: ${failure.message}`;
}

function firstLine(cell: Cell): string {
  const line = joinText(cell.source).split("\n").find((l) => l.trim() !== "") ?? "";
  return line.length > 60 ? line.slice(0, 57) + "..." : line;
}

function cellTimeout(cell: Cell, fallback: number): number {
  const own = (cell.metadata.latentlab as { timeout_s?: unknown } | undefined)?.timeout_s;
  return typeof own === "number" && own > 0 ? own * 1000 : fallback;
}

/** Collects the iopub messages of each cell into its outputs (by parent message id). */
class OutputCollector {
  readonly #cells = new Map<string, Cell>();
  readonly #displays = new Map<string, { data: MimeBundle; metadata: Record<string, unknown> }[]>();
  readonly #clearPending = new Set<Cell>();

  expect(msgId: string, cell: Cell): void {
    this.#cells.set(msgId, cell);
  }

  #outputs(cell: Cell): CellOutput[] {
    if (this.#clearPending.has(cell)) {
      this.#clearPending.delete(cell);
      cell.outputs = [];
    }
    return cell.outputs ??= [];
  }

  handle(message: JupyterMessage): void {
    const cell = this.#cells.get(message.parent_header.msg_id ?? "");
    const content = message.content;
    const type = message.header.msg_type;
    if (type === "update_display_data") {
      const id = (content.transient as { display_id?: string } | undefined)?.display_id;
      for (const output of (id && this.#displays.get(id)) || []) {
        output.data = bundleForNotebook(content.data as MimeBundle);
        output.metadata = (content.metadata as Record<string, unknown>) ?? {};
      }
      return;
    }
    if (!cell) return;
    switch (type) {
      case "execute_input":
        cell.execution_count = content.execution_count as number;
        break;
      case "stream":
        appendStream(this.#outputs(cell), content.name as "stdout" | "stderr", String(content.text ?? ""));
        break;
      case "display_data":
      case "execute_result": {
        const output = {
          data: bundleForNotebook(content.data as MimeBundle),
          metadata: (content.metadata as Record<string, unknown>) ?? {},
        };
        const outputs = this.#outputs(cell);
        if (type === "execute_result") {
          outputs.push({
            output_type: "execute_result",
            execution_count: content.execution_count as number,
            ...output,
          });
        } else {
          outputs.push({ output_type: "display_data", ...output });
        }
        const id = (content.transient as { display_id?: string } | undefined)?.display_id;
        if (id) this.#displays.set(id, [...(this.#displays.get(id) ?? []), outputs.at(-1) as typeof output]);
        break;
      }
      case "error":
        this.#outputs(cell).push({
          output_type: "error",
          ename: String(content.ename ?? "Error"),
          evalue: String(content.evalue ?? ""),
          traceback: (content.traceback as string[]) ?? [],
        });
        break;
      case "clear_output":
        if (content.wait) this.#clearPending.add(cell);
        else cell.outputs = [];
        break;
    }
  }
}

/**
 * Executes the notebook at `path` on a fresh Deno kernel whose working directory is the notebook's
 * folder, with `NO_COLOR=1` and `options.env`. Stops at the first failing or timed-out cell; the kernel
 * (its whole process group) is shut down on every path. Never throws for a failing cell: look at
 * `run.status` / `run.failure` (see {@linkcode describeFailure}).
 */
export async function executeNotebook(
  path: string,
  options: ExecuteNotebookOptions = {},
): Promise<NotebookRun> {
  const source = await readNotebook(path);
  const notebook = cleanCopy(source);
  const name = basename(path);
  const env = options.env ?? {};
  const codeCells = notebook.cells.filter((cell) => cell.cell_type === "code");
  const startedAt = new Date();
  const started = performance.now();
  const run: RunRecord = {
    status: "ok",
    startedAt: startedAt.toISOString(),
    durationMs: 0,
    params: options.params ?? env,
    deno: Deno.version.deno,
    cells: [],
  };
  const collector = new OutputCollector();
  const kernel = await KernelClient.start({ cwd: dirname(resolve(path)), env });
  kernel.onIopub = (message) => collector.handle(message);
  if (kernel.kernelInfo.language_info && !notebook.metadata.language_info) {
    notebook.metadata.language_info = kernel.kernelInfo.language_info;
  }
  const abort = () => kernel.kill();
  options.signal?.addEventListener("abort", abort);
  try {
    let codeIndex = 0;
    for (const [index, cell] of notebook.cells.entries()) {
      if (cell.cell_type !== "code") continue;
      codeIndex += 1;
      const code = joinText(cell.source);
      const progress = {
        notebook: name,
        codeCell: codeIndex,
        codeCells: codeCells.length,
        cell: index + 1,
        firstLine: firstLine(cell),
      };
      options.onCell?.({ ...progress, phase: "start" });
      if (code.trim() === "") {
        options.onCell?.({ ...progress, phase: "ok", durationMs: 0 });
        continue;
      }
      const inputAt = new Date().toISOString();
      const outcome = await kernel.execute(code, {
        timeoutMs: cellTimeout(cell, options.cellTimeoutMs ?? DEFAULT_CELL_TIMEOUT_MS),
        quietMs: options.quietMs,
        onRequest: (msgId) => collector.expect(msgId, cell),
      });
      cell.metadata.execution = {
        "iopub.execute_input": inputAt,
        "shell.execute_reply": new Date().toISOString(),
      };
      run.cells.push({ id: cell.id!, durationMs: Math.round(outcome.durationMs) });
      options.onCell?.({ ...progress, phase: outcome.status, durationMs: outcome.durationMs });
      if (outcome.status !== "ok") {
        let message: string;
        if (outcome.status === "error") {
          const reply = outcome.reply ?? {};
          message = `${reply.ename ?? "Error"}: ${reply.evalue ?? ""}`.trim();
        } else if (outcome.status === "timeout") {
          message = `no result after ${(cellTimeout(cell, options.cellTimeoutMs ?? DEFAULT_CELL_TIMEOUT_MS) /
            1000)} s; kernel killed`;
          cell.outputs!.push({
            output_type: "error",
            ename: "CellTimeout",
            evalue: message,
            traceback: [`CellTimeout: ${message}`],
          });
        } else {
          const status = await kernel.exited;
          message = options.signal?.aborted
            ? "interrupted"
            : `the kernel exited (code ${status.code}${status.signal ? `, ${status.signal}` : ""})`;
          cell.outputs!.push({
            output_type: "error",
            ename: "KernelDied",
            evalue: message,
            traceback: [message],
          });
        }
        run.status = outcome.status;
        run.failure = { ...progress, id: cell.id!, reason: outcome.status, message };
        break;
      }
    }
  } finally {
    options.signal?.removeEventListener("abort", abort);
    await kernel.shutdown();
  }
  run.durationMs = Math.round(performance.now() - started);
  notebook.metadata.latentlab = { ...(notebook.metadata.latentlab as object | undefined), run };
  if (options.outputPath) await writeNotebook(options.outputPath, notebook);
  return { path, notebook, run, kernelPid: kernel.pid };
}
