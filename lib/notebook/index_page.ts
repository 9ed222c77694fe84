/**
 * `results/index.html`: one page linking every HTML report in a results folder, with its run date,
 * status, duration and parameters (read from the executed notebooks' `metadata.latentlab.run`), and the
 * tables (CSV/Parquet) and images the notebooks wrote.
 * @module
 */
import { join } from "node:path";
import { escapeHtml } from "../report/display.ts";
import { writeFileAtomic } from "../io/atomic.ts";
import { formatDuration, runRecordOf } from "./html.ts";
import { readNotebook } from "./ipynb.ts";
import type { RunRecord } from "./executor.ts";

/** One report listed on the index page. */
export interface IndexEntry {
  /** Notebook base name, e.g. `B_search`. */
  name: string;
  /** The report's title (first heading), if known. */
  title?: string;
  /** The run record, when the executed notebook has one. */
  run?: RunRecord;
  /** Whether `<name>.html` exists. */
  hasHtml: boolean;
}

/** Scans `folder` for executed notebooks (`*.ipynb`) and returns one entry per notebook, sorted by name. */
export async function collectReports(folder: string): Promise<IndexEntry[]> {
  const entries: IndexEntry[] = [];
  const files = new Set<string>();
  for await (const entry of Deno.readDir(folder)) if (entry.isFile) files.add(entry.name);
  for (const file of [...files].sort()) {
    if (!file.endsWith(".ipynb")) continue;
    const name = file.slice(0, -".ipynb".length);
    let run: RunRecord | undefined;
    let title: string | undefined;
    try {
      const notebook = await readNotebook(join(folder, file));
      run = runRecordOf(notebook);
      for (const cell of notebook.cells) {
        if (cell.cell_type !== "markdown") continue;
        const text = Array.isArray(cell.source) ? cell.source.join("") : cell.source;
        const heading = /^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$/m.exec(text);
        if (heading) {
          title = heading[1].replace(/[*_`]/g, "");
          break;
        }
      }
    } catch { /* not a notebook we can read: listed without details */ }
    entries.push({ name, title, run, hasHtml: files.has(`${name}.html`) });
  }
  return entries;
}

async function dataFiles(folder: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string, prefix: string, depth: number) => {
    for await (const entry of Deno.readDir(dir)) {
      const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory && entry.name === "screenshots") continue; // test screenshots, not results
      if (entry.name.startsWith(".")) continue; // hidden folders and files (e.g. a Jupyter data folder)
      if (entry.isDirectory && depth < 2) await walk(join(dir, entry.name), relative, depth + 1);
      else if (
        entry.isFile && /\.(csv|parquet|png|svg|json|txt)$/i.test(entry.name)
      ) {
        found.push(relative);
      }
    }
  };
  await walk(folder, "", 0);
  return found.sort();
}

/** Renders the index page for `entries` (and the data files found beside them). */
export function renderIndex(entries: IndexEntry[], files: string[] = []): string {
  const rows = entries.map((entry) => {
    const run = entry.run;
    const status = !run ? "not run" : run.status === "ok" ? "OK" : `FAILED (${run.status})`;
    const colour = !run ? "#888" : run.status === "ok" ? "#137333" : "#b3261e";
    const link = entry.hasHtml
      ? `<a href="${escapeHtml(encodeURIComponent(entry.name))}.html">${escapeHtml(entry.name)}</a>`
      : escapeHtml(entry.name);
    const params = run ? Object.entries(run.params ?? {}).map(([k, v]) => `${k}=${v}`).join(" ") : "";
    const failure = run?.failure
      ? `<br><small>${escapeHtml(`code cell ${run.failure.codeCell}: ${run.failure.message}`)}</small>`
      : "";
    return `<tr><td>${link}</td><td>${escapeHtml(entry.title ?? "")}</td>` +
      `<td style="color:${colour};font-weight:600">${escapeHtml(status)}${failure}</td>` +
      `<td>${run ? escapeHtml(run.startedAt.replace("T", " ").replace(/\.\d+Z$/, " UTC")) : ""}</td>` +
      `<td style="text-align:right">${run ? formatDuration(run.durationMs) : ""}</td>` +
      `<td><code>${escapeHtml(params || (run ? "defaults" : ""))}</code></td>` +
      `<td><a href="${escapeHtml(encodeURIComponent(entry.name))}.ipynb">.ipynb</a></td></tr>`;
  }).join("\n");
  const fileList = files.length === 0
    ? ""
    : `<h2>Tables and images</h2><ul>${
      files.map((file) =>
        `<li><a href="${escapeHtml(file.split("/").map(encodeURIComponent).join("/"))}">${
          escapeHtml(file)
        }</a></li>`
      )
        .join("")
    }</ul>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>latentlab results</title>
<style>
body { font: 15px/1.5 system-ui, sans-serif; max-width: 1100px; margin: 24px auto; padding: 0 24px; color: #1d1d1f; }
table { border-collapse: collapse; width: 100%; }
th, td { padding: 6px 10px; border-bottom: 1px solid #e3e3e3; text-align: left; vertical-align: top; }
th { border-bottom: 2px solid #999; }
code { font-size: 12px; }
</style>
</head>
<body>
<h1>latentlab results</h1>
<p>Reports of the notebooks, executed headless by <code>deno task notebooks</code>. Index written ${
    escapeHtml(new Date().toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC"))
  }.</p>
<table>
<thead><tr><th>Report</th><th>Title</th><th>Status</th><th>Run</th><th>Time</th><th>Parameters</th><th>Notebook</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
${fileList}
</body>
</html>
`;
}

/** Writes `<folder>/index.html` listing every report in `folder`; returns its path. */
export async function writeIndex(folder: string): Promise<string> {
  const entries = await collectReports(folder);
  const files = await dataFiles(folder);
  const path = join(folder, "index.html");
  await writeFileAtomic(path, renderIndex(entries, files));
  return path;
}
