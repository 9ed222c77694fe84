/**
 * The architecture, checked from the imports: the folder import graph of `lib/` (with `lib/cli/`) and
 * `bench/` has at most six floors, no folder imports another folder's private (`_`) modules, and
 * Workers are created only by the worker pool.
 *
 * A folder's floor is 1 + the highest floor of the folders it imports (a folder that imports none is on
 * floor 1). The files directly in `lib/` are not folders: `errors.ts` imports nothing and `mod.ts`, the
 * public entry point, is imported by no module of the library. The floors today:
 *
 * ```text
 * 6  bench
 * 5  cli
 * 4  notebook
 * 3  report  nn  search  emd  cluster
 * 2  data  simd  stats
 * 1  io  util
 * ```
 *
 * The allow-list of private imports names the exceptions that remain (none today), in code that other
 * work is changing; each entry goes when that code is restructured, and an entry that is no longer needed
 * fails the test so that the list only shrinks. Workers have no exception: the worker pool is the one
 * module that creates them.
 */
import assert from "node:assert/strict";
import { dirname, join, normalize, relative } from "node:path";
import { PROJECT_ROOT } from "../lib/util/project_root.ts";

/** The most floors the folder graph may have. */
const MAX_FLOORS = 6;

/** Imports of another folder's `_` module still allowed: `importer -> imported` (none left). */
const PRIVATE_IMPORTS_ALLOWED = new Set<string>([]);

/** The one worker pool: the only module that creates Workers (in `lib/` and `bench/`). */
const WORKER_POOL = "lib/util/worker_pool.ts";

/** `.ts` files below `dir`, as paths relative to the repository root. */
function sourceFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of Deno.readDirSync(join(PROJECT_ROOT, dir))) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) files.push(...sourceFiles(path));
    else if (entry.isFile && entry.name.endsWith(".ts")) files.push(path);
  }
  return files;
}

/** Source lines without comment lines (JSDoc examples, `//` notes). */
function codeOf(source: string): string {
  return source.split("\n").filter((line) => !/^\s*(\*|\/\/|\/\*)/.test(line)).join("\n");
}

/** Relative module specifiers of a source: static imports and re-exports, dynamic imports, Worker URLs. */
function relativeImports(source: string): string[] {
  const code = codeOf(source);
  const patterns = [
    /^\s*(?:import|export)\b[^;]*?\bfrom\s*["'](\.{1,2}\/[^"']+)["']/gm,
    /^\s*import\s*["'](\.{1,2}\/[^"']+)["']/gm,
    /\bimport\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g,
    /new URL\(\s*["'](\.{1,2}\/[^"']+\.ts)["']\s*,\s*import\.meta\.url/g,
  ];
  return patterns.flatMap((pattern) => [...code.matchAll(pattern)].map((match) => match[1]));
}

/** The folder a module belongs to (`cli`, `data`, …, `bench`), or undefined for a file directly in `lib/`. */
function folderOf(path: string): string | undefined {
  const parts = path.split("/");
  if (parts[0] === "bench") return "bench";
  return parts.length > 2 ? parts[1] : undefined;
}

interface Graph {
  /** `importer -> imported` file pairs (repository-relative paths). */
  edges: [string, string][];
  /** Folder → the folders it imports. */
  folders: Map<string, Set<string>>;
}

function importGraph(): Graph {
  const edges: [string, string][] = [];
  const folders = new Map<string, Set<string>>();
  for (const file of [...sourceFiles("lib"), ...sourceFiles("bench")]) {
    const from = folderOf(file);
    if (from) folders.set(from, folders.get(from) ?? new Set());
    for (const specifier of relativeImports(Deno.readTextFileSync(join(PROJECT_ROOT, file)))) {
      const target = relative(PROJECT_ROOT, normalize(join(PROJECT_ROOT, dirname(file), specifier)));
      edges.push([file, target]);
      const to = folderOf(target);
      if (from && to && from !== to) folders.get(from)!.add(to);
    }
  }
  return { edges, folders };
}

/** Each folder's floor; throws on an import cycle between folders. */
function floorsOf(folders: Map<string, Set<string>>): Map<string, number> {
  const floors = new Map<string, number>();
  const visiting = new Set<string>();
  const floor = (folder: string): number => {
    const known = floors.get(folder);
    if (known !== undefined) return known;
    if (visiting.has(folder)) throw new Error(`import cycle between folders through ${folder}`);
    visiting.add(folder);
    const value = 1 + Math.max(0, ...[...(folders.get(folder) ?? [])].map(floor));
    visiting.delete(folder);
    floors.set(folder, value);
    return value;
  };
  for (const folder of folders.keys()) floor(folder);
  return floors;
}

function diagram(floors: Map<string, number>): string {
  const top = Math.max(...floors.values());
  return Array.from({ length: top }, (_, i) => top - i)
    .map((n) => `${n}  ${[...floors].filter(([, f]) => f === n).map(([name]) => name).sort().join("  ")}`)
    .join("\n");
}

const graph = importGraph();

Deno.test(`import graph: the folders of lib/ and bench/ stand on at most ${MAX_FLOORS} floors`, () => {
  const floors = floorsOf(graph.folders);
  const top = Math.max(...floors.values());
  assert.ok(top <= MAX_FLOORS, `${top} floors:\n${diagram(floors)}`);
  // The task folders are siblings on one floor.
  const tasks = ["nn", "search", "emd", "cluster"].map((folder) => floors.get(folder));
  assert.equal(new Set(tasks).size, 1, `task folders on different floors:\n${diagram(floors)}`);
});

Deno.test("import graph: lib/ holds only errors.ts (importing nothing) and mod.ts (imported by no module)", () => {
  const rootFiles = [...Deno.readDirSync(join(PROJECT_ROOT, "lib"))].filter((e) => e.isFile).map((e) =>
    e.name
  );
  assert.deepEqual(rootFiles.sort(), ["errors.ts", "mod.ts"]);
  assert.deepEqual(graph.edges.filter(([from]) => from === "lib/errors.ts"), []);
  assert.deepEqual(graph.edges.filter(([, to]) => to === "lib/mod.ts"), []);
});

Deno.test("import graph: no folder imports another folder's private (_) modules", () => {
  const crossings = graph.edges
    .filter(([from, to]) => to.split("/").at(-1)!.startsWith("_") && folderOf(from) !== folderOf(to))
    .map(([from, to]) => `${from} -> ${to}`);
  const unexpected = crossings.filter((pair) => !PRIVATE_IMPORTS_ALLOWED.has(pair));
  assert.deepEqual(unexpected, [], "import the folder's public modules (its mod.ts) instead");
  const stale = [...PRIVATE_IMPORTS_ALLOWED].filter((pair) => !crossings.includes(pair));
  assert.deepEqual(stale, [], "no longer needed: remove from PRIVATE_IMPORTS_ALLOWED");
});

Deno.test("import graph: Workers are created only by the worker pool", () => {
  const sites = [...sourceFiles("lib"), ...sourceFiles("bench")]
    .filter((file) => /\bnew Worker\(/.test(codeOf(Deno.readTextFileSync(join(PROJECT_ROOT, file)))));
  assert.deepEqual(sites, [WORKER_POOL], "use createWorkerPool (lib/util/worker_pool.ts)");
});
