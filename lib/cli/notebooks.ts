/**
 * `deno task notebooks [--notebooks notebooks] [--out results] [--only 00,B_] [--param dataset=fashion-mnist ...]`:
 * the main job. Executes every notebook headless (no Python or Jupyter needed) on the default data, with
 * one progress line per cell, and writes into `results/` the executed notebooks, standalone HTML reports
 * with interactive figures, the tables the notebooks write, and `index.html`. Exits 1 naming the
 * notebook and cell when a cell fails or times out (after running the other notebooks, unless
 * `--fail-fast`).
 * @module
 */
import { join } from "node:path";
import { type CliTool, runTool } from "./_run.ts";
import { PROJECT_ROOT } from "../data/datasets.ts";
import { paramsToEnv } from "../notebook/params.ts";
import { runAllNotebooks } from "../notebook/run_all.ts";

/** Splits the repeatable `--param k=v` (or `--param=k=v`) flags out of `argv`. */
export function extractParams(argv: string[]): { params: string[]; rest: string[] } {
  const params: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--param" || argv[i] === "-p") {
      if (argv[i + 1] === undefined) rest.push(argv[i]); // let the parser report the missing value
      else params.push(argv[++i]);
    } else if (argv[i].startsWith("--param=")) params.push(argv[i].slice("--param=".length));
    else rest.push(argv[i]);
  }
  return { params, rest };
}

/** The result of the last run of a {@linkcode notebooksTool}: whether every notebook succeeded. */
export interface NotebooksOutcome {
  /** Set by the tool's `run`: false when some notebook failed. */
  ok: boolean;
}

/**
 * The `notebooks` tool for the given `--param` values. A failing notebook does not throw (its one-line
 * error is printed); it sets `outcome.ok = false` so the caller can exit 1.
 */
export function notebooksTool(params: string[] = [], outcome: NotebooksOutcome = { ok: true }): CliTool {
  return {
    name: "notebooks",
    summary:
      "Executes every notebook in notebooks/ (sorted) headless and writes results/: executed .ipynb, " +
      "standalone HTML reports (interactive Plotly figures, works offline), CSV/Parquet tables, index.html.",
    flags: [
      {
        key: "notebooks",
        names: ["--notebooks"],
        type: "string",
        default: join(PROJECT_ROOT, "notebooks"),
        description: "Folder of notebooks",
      },
      {
        key: "out",
        names: ["-o", "--out"],
        type: "string",
        default: join(PROJECT_ROOT, "results"),
        description: "Results folder",
      },
      {
        key: "only",
        names: ["--only"],
        type: "string",
        description: "Comma-separated file-name prefixes to run (e.g. 00,B_)",
      },
      {
        key: "param",
        names: ["-p", "--param"],
        type: "string",
        description:
          "Notebook parameter key=value, repeatable (e.g. dataset=fashion-mnist -> LATENTLAB_DATASET)",
      },
      {
        key: "timeout",
        names: ["--timeout"],
        type: "number",
        default: 1800,
        min: 1,
        description: "Per-cell timeout in seconds",
      },
      { key: "noHtml", names: ["--no-html"], type: "boolean", description: "Do not write HTML reports" },
      {
        key: "failFast",
        names: ["--fail-fast"],
        type: "boolean",
        description: "Stop after the first failing notebook",
      },
    ],
    async run(flags) {
      const controller = new AbortController();
      const onSignal = () => {
        console.error("notebooks: interrupted, stopping the kernel");
        controller.abort();
      };
      const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
      for (const signal of signals) Deno.addSignalListener(signal, onSignal);
      try {
        const summary = await runAllNotebooks(flags.notebooks as string, {
          outDir: flags.out as string,
          env: paramsToEnv(params),
          only: flags.only ? String(flags.only).split(",").map((s) => s.trim()).filter(Boolean) : undefined,
          cellTimeoutMs: (flags.timeout as number) * 1000,
          html: !flags.noHtml,
          failFast: Boolean(flags.failFast),
          signal: controller.signal,
        });
        outcome.ok = summary.ok;
        if (!summary.ok) {
          for (const notebook of summary.notebooks) {
            if (notebook.failure) console.error(`notebooks: error: ${notebook.failure}`);
          }
          if (controller.signal.aborted) console.error("notebooks: error: interrupted");
        }
      } finally {
        for (const signal of signals) Deno.removeSignalListener(signal, onSignal);
      }
    },
  };
}

/** Runs the tool on `argv` (with repeatable `--param`) and returns the exit code (0 ok, 1 a notebook failed, 2 bad input). */
export async function notebooksMain(argv: string[]): Promise<number> {
  const { params, rest } = extractParams(argv);
  const outcome: NotebooksOutcome = { ok: true };
  const code = await runTool(notebooksTool(params, outcome), rest);
  return code === 0 && !outcome.ok ? 1 : code;
}

if (import.meta.main) Deno.exit(await notebooksMain(Deno.args));
