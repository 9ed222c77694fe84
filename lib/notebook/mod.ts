/**
 * The notebook platform: a headless executor for the Deno Jupyter kernel (no Python), notebook
 * parameters, standalone HTML reports, the results index, and the project kernelspec.
 *
 * The executor drives the kernel over the Jupyter messaging protocol with a small ZeroMQ (ZMTP 3.0) client
 * written in TypeScript: the native `zeromq` addon loads under Deno but crashes it (SIGSEGV in its poll
 * callback) once sockets are closed while the kernel still talks, i.e. on the second kernel of a run.
 * The project kernelspec starts the kernel behind a proxy (`kernel_proxy.ts`, the server side of the same
 * ZMTP code) so that Jupyter's own clients (Notebook, JupyterLab, nbconvert, VS Code) get every output
 * too: the Deno kernel drops outputs when a client reads slowly and publishes some after the cell's `idle`.
 *
 * ## Running notebooks
 * - Headless, everything: `npx -y deno@2.9.6 task notebooks` → `results/` (executed `.ipynb`, HTML
 *   reports, tables, `index.html`). Options: `--only B_`, `--param dataset=fashion-mnist`, `--timeout 1800`.
 * - In JupyterLab: `npx -y deno@2.9.6 task kernel` once, or `JUPYTER_PATH=$PWD/.jupyter jupyter lab` with
 *   deno on PATH. nbconvert works the same way:
 *   `JUPYTER_PATH=$PWD/.jupyter jupyter nbconvert --to notebook --execute notebooks/X.ipynb`.
 *
 * ## Writing a task notebook (the pattern)
 * Cells run with the notebook's folder (`notebooks/`) as working directory, as scripts (no
 * `import.meta`), with top-level await. The plain Deno kernel is fragile in two ways: output printed with many
 * `console.log` calls can be lost or land in the next cell under front ends other than ours (the kernel
 * proxy of the project kernelspec fixes that, but a notebook may meet the plain kernel elsewhere), and a
 * cell whose last value is an integer ≥ 2^53 never finishes (with or without the proxy). So:
 *
 * 1. **First code cell: imports and parameters.** Import the library with one import of its public API,
 *    `../lib/mod.ts` (relative), and npm packages by their bare names from the import map, then read
 *    every setting once (`notebookParams({ epochs: 5, latentDims: [10, 20, 50] })` reads
 *    `LATENTLAB_EPOCHS` and `LATENTLAB_LATENT_DIMS`; see the example below) and show them with
 *    `await showText(...)`.
 *    Common ones: `dataset`, `seed`, `trainLimit`, `queryLimit`, `results` (write CSV/Parquet there),
 *    `models`. Run with other values: `deno task notebooks --param dataset=fashion-mnist --param epochs=20`.
 * 2. **Log at most once per cell**, with `await showText(summary)` rather than `console.log` (the
 *    headless executor keeps every line, but JupyterLab and nbconvert may lose or misplace them).
 *    Long loops report through `createProgress(label, { total })` (one line updated in place).
 * 3. **Show results with awaited displays**: `await showTable(df)`, `await showFigure(fig)`,
 *    `await showImageGrid(images, { captions })`. Give every proportion its Wilson interval and every mean its
 *    bootstrap interval (`wilsonInterval`, `bootstrapMeanInterval`, `formatInterval`), with the sample size.
 * 4. **End every cell with an awaited display or `;`, never with a bare value**: a last value that is an
 *    integer ≥ 2^53 (e.g. a big sum) hangs the kernel, and bare values can be lost like log lines.
 * 5. Long cells (training) may raise their own timeout in the cell metadata:
 *    `{"latentlab": {"timeout_s": 3600}}`.
 * 6. Declare the kernel in the notebook metadata: `"kernelspec": {"name": "latentlab", "display_name":
 *    "Deno (latentlab)", "language": "typescript"}` (see `notebooks/00_tour.ipynb`, the library tour).
 *
 * @example A notebook's parameters (here from an explicit environment instead of `Deno.env`)
 * ```ts
 * import assert from "node:assert/strict";
 * import { notebookParams } from "./mod.ts";
 *
 * const params = notebookParams({ epochs: 5, latentDims: [10, 20] }, {
 *   env: { LATENTLAB_EPOCHS: "2", LATENTLAB_LATENT_DIMS: "10,50" },
 * });
 * assert.equal(params.epochs, 2);
 * assert.deepEqual(params.latentDims, [10, 50]);
 * assert.equal(params.dataset, "mnist-sample"); // a common parameter's default
 * ```
 * @module
 */
export {
  type ExecuteOptions,
  type ExecuteOutcome,
  KernelClient,
  type KernelStartOptions,
  TailBuffer,
} from "./jupyter_kernel.ts";
export {
  type CellFailure,
  type CellProgress,
  DEFAULT_CELL_TIMEOUT_MS,
  describeFailure,
  executeNotebook,
  type ExecuteNotebookOptions,
  type NotebookRun,
  type RunRecord,
} from "./executor.ts";
export {
  type Cell,
  type CellOutput,
  cleanCopy,
  joinText,
  type MimeBundle,
  type MultilineString,
  type Notebook,
  parseNotebook,
  readNotebook,
  serializeNotebook,
  splitLines,
  writeNotebook,
} from "./ipynb.ts";
export {
  COMMON_DEFAULTS,
  type CommonParams,
  notebookParams,
  type NotebookParamsOptions,
  PARAM_PREFIX,
  paramEnvName,
  paramsToEnv,
  type ParamValue,
} from "./params.ts";
export {
  formatDuration,
  type HtmlExportOptions,
  notebookToHtml,
  reportName,
  runRecordOf,
  stripAnsi,
} from "./html.ts";
export { renderInline, renderMarkdown, safeUrl } from "./markdown.ts";
export { collectReports, type IndexEntry, renderIndex, writeIndex } from "./index_page.ts";
export {
  INSTALLED_PROXY_PATH,
  installKernelSpec,
  type InstallKernelSpecOptions,
  KERNEL_DISPLAY_NAME,
  KERNEL_NAME,
  type KernelLauncher,
  type KernelSpec,
  kernelSpec,
  type KernelSpecOptions,
  NOTEBOOK_KERNELSPEC,
  PROJECT_JUPYTER_PATH,
  PROJECT_PROXY_PATH,
  projectKernelSpec,
  PROXY_MODULES,
  userJupyterDataDir,
} from "./kernelspec.ts";
export {
  FLUSH_TIMEOUT_MS,
  IDLE_GRACE_MS,
  INTERRUPT_COALESCE_MS,
  KernelProxy,
  type KernelProxyOptions,
  QUIET_MAX_MS,
  QUIET_MS,
  readConnectionFile,
} from "./kernel_proxy.ts";
export {
  listNotebooks,
  type NotebookSummary,
  runAllNotebooks,
  type RunAllOptions,
  type RunAllSummary,
} from "./run_all.ts";
export { type ConnectionInfo, type JupyterMessage, type MessageHeader } from "./protocol.ts";
export {
  type PreparedFigures,
  prepareFigures,
  type PrepareFiguresOptions,
  preparePublication,
  type PublishedNotebook,
  publishNotebook,
  type PublishOptions,
  STATIC_FIGURE_WIDTH,
} from "./publish.ts";
export {
  isNotebookTrusted,
  type NotaryOptions,
  notebookSecret,
  notebookSignature,
  signNotebook,
} from "./trust.ts";
