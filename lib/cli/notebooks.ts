/**
 * `deno task notebooks [--notebooks notebooks] [--out results] [--only 00,B_] [--param dataset=fashion-mnist ...]`:
 * the main job. Executes every notebook headless (no Python or Jupyter needed) on the default data, with
 * one progress line per cell, and writes into `results/` the executed notebooks, standalone HTML reports
 * with interactive figures, the tables the notebooks write, and `index.html`.
 *
 * Before any kernel starts, `--only` must name notebooks that exist and every `--param` must be a
 * parameter that a notebook to run declares (in its `notebookParams({...})` call), with a value of the
 * declared type (a typo gets "did you mean …?"); bad options exit 2 with one line. A failing notebook
 * keeps the previous results and writes `<name>.failed.ipynb/.html` beside them; the tool then exits 1
 * naming the notebook and cell (after running the other notebooks, unless `--fail-fast`). Ctrl-C stops
 * the kernel, puts the results of the running notebook back as they were and exits 130.
 * @module
 */
import { basename, join } from "node:path";
import { defineTool, runTool } from "./_run.ts";
import { InputError } from "../errors.ts";
import { datasetFilesIn, datasetFolder } from "../data/datasets.ts";
import { PROJECT_ROOT } from "../util/project_root.ts";
import { addInterruptHook, exitProcess, installInterruptGuard } from "../io/interrupt.ts";
import { joinText, readNotebook } from "../notebook/ipynb.ts";
import {
  commonDeclarations,
  declaredParams,
  type ParamDeclaration,
  paramEnvName,
  validateParams,
} from "../notebook/params.ts";
import { listNotebooks, resultFileNames, runAllNotebooks } from "../notebook/run_all.ts";
import { closestName } from "../util/suggest.ts";

/** The result of the last run of a {@linkcode notebooksTool}: whether every notebook succeeded. */
export interface NotebooksOutcome {
  /** Set by the tool's `run`: false when some notebook failed. */
  ok: boolean;
}

/** The notebooks `only` selects (file-name prefixes); an empty or unmatched prefix is an InputError. */
export function selectNotebooks(paths: readonly string[], only: string | undefined): string[] {
  if (only === undefined) return [...paths];
  const names = paths.map((path) => basename(path).replace(/\.ipynb$/, ""));
  const prefixes = only.split(",").map((prefix) => prefix.trim());
  for (const prefix of prefixes) {
    if (prefix === "") throw new InputError(`--only: "${only}" has an empty name (use e.g. --only 00,B_)`);
    if (!names.some((name) => name.startsWith(prefix))) {
      const guess = closestName(prefix, names.map((name) => name.slice(0, Math.max(prefix.length, 2))), {
        maxDistance: 2,
      });
      const match = guess && names.find((name) => name.startsWith(guess));
      throw new InputError(
        `--only: no notebook starts with "${prefix}"${match ? ` (did you mean ${match}?)` : ""}; notebooks: ${
          names.join(", ")
        }`,
      );
    }
  }
  return paths.filter((path) => prefixes.some((prefix) => basename(path).startsWith(prefix)));
}

/** The parameters the notebooks at `paths` declare, plus the common ones, by environment variable. */
export async function notebookDeclarations(paths: readonly string[]): Promise<Map<string, ParamDeclaration>> {
  const declared = commonDeclarations();
  for (const path of paths) {
    let notebook;
    try {
      notebook = await readNotebook(path);
    } catch (error) {
      throw new InputError(`${path}: ${(error as Error).message}`);
    }
    const source = notebook.cells.filter((cell) => cell.cell_type === "code").map((cell) =>
      joinText(cell.source)
    )
      .join("\n");
    for (const [key, fallback] of declaredParams(source)) {
      const name = paramEnvName(key);
      const entry = declared.get(name) ?? { key, fallback, notebooks: [] };
      entry.notebooks.push(basename(path));
      declared.set(name, entry);
    }
  }
  return declared;
}

function checkParamValue(key: string, value: unknown): void {
  if (key !== "dataset") return;
  const name = String(value);
  const folder = datasetFolder(name);
  if (name !== "mnist-sample") datasetFilesIn(folder);
}

/**
 * The `notebooks` tool. A failing notebook does not throw (its one-line error is printed); it sets
 * `outcome.ok = false` so the caller can exit 1.
 */
export function notebooksTool(outcome: NotebooksOutcome = { ok: true }) {
  return defineTool({
    name: "notebooks",
    summary:
      "Executes every notebook in notebooks/ (sorted) headless and writes results/: executed .ipynb, " +
      "standalone HTML reports (interactive Plotly figures, works offline), CSV/Parquet tables, index.html.",
    flags: {
      notebooks: {
        names: ["--notebooks"],
        kind: "inputFolder",
        role: "notebook folder",
        default: join(PROJECT_ROOT, "notebooks"),
        description: "Folder of notebooks",
      },
      out: {
        names: ["-o", "--out"],
        kind: "outputFolder",
        default: join(PROJECT_ROOT, "results"),
        description: "Results folder",
      },
      only: {
        names: ["--only"],
        kind: "string",
        description: "Comma-separated file-name prefixes to run (e.g. 00,B_)",
      },
      param: {
        names: ["-p", "--param"],
        kind: "string",
        repeatable: true,
        description:
          "Notebook parameter key=value, one a notebook declares (e.g. dataset=fashion-mnist -> LATENTLAB_DATASET)",
      },
      timeout: {
        names: ["--timeout"],
        kind: "number",
        default: 1800,
        min: 1,
        max: 7 * 24 * 3600,
        description: "Per-cell timeout in seconds",
      },
      noHtml: { names: ["--no-html"], kind: "boolean", description: "Do not write HTML reports" },
      noSign: {
        names: ["--no-sign"],
        kind: "boolean",
        description:
          "Do not sign the executed notebooks for your Jupyter (by default they are, so they open trusted)",
      },
      failFast: {
        names: ["--fail-fast"],
        kind: "boolean",
        description: "Stop after the first failing notebook",
      },
    },
    async run(flags, { guard }) {
      const all = await listNotebooks(flags.notebooks);
      const selected = selectNotebooks(all, flags.only);
      if (selected.length === 0) throw new InputError(`--notebooks: ${flags.notebooks} holds no notebooks`);
      const env = validateParams(flags.param, await notebookDeclarations(selected), {
        check: checkParamValue,
        reserved: { results: "the results folder is set with --out" },
      });
      // The files written for each notebook may not be inputs (e.g. hard links to source notebooks).
      for (const path of selected) {
        for (const name of Object.values(resultFileNames(path))) {
          guard.outputFile("--out", join(flags.out, name), { folderMayBeMissing: true });
        }
      }
      guard.outputFile("--out", join(flags.out, "index.html"), { folderMayBeMissing: true });
      const controller = new AbortController();
      let running: Promise<unknown> = Promise.resolve();
      const removeHook = addInterruptHook(async () => {
        controller.abort();
        await running.catch(() => {});
      });
      try {
        const run = runAllNotebooks(flags.notebooks, {
          outDir: flags.out,
          env,
          only: selected.map((path) => basename(path)),
          cellTimeoutMs: flags.timeout * 1000,
          html: !flags.noHtml,
          failFast: flags.failFast,
          signal: controller.signal,
          publish: flags.noSign ? { sign: false } : {},
        });
        running = run;
        const summary = await run;
        outcome.ok = summary.ok;
        // An interrupt is reported by the guard (one line); failures name the notebook and cell.
        for (const notebook of summary.notebooks) {
          if (notebook.failure) console.error(`notebooks: error: ${notebook.failure}`);
        }
      } finally {
        removeHook();
      }
    },
  });
}

/** Runs the tool on `argv` and returns the exit code (0 ok, 1 a notebook failed, 2 bad options). */
export async function notebooksMain(argv: string[]): Promise<number> {
  const outcome: NotebooksOutcome = { ok: true };
  const code = await runTool(notebooksTool(outcome), argv);
  return code === 0 && !outcome.ok ? 1 : code;
}

/** {@linkcode notebooksMain} as a process: with the interrupt guard, exiting with its code. */
export async function notebooksProcess(): Promise<void> {
  installInterruptGuard("notebooks");
  exitProcess(await notebooksMain(Deno.args));
}

if (import.meta.main) await notebooksProcess();
