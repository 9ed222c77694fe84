/**
 * Generated from the tools' flag specs: every output flag of every tool is pointed at each of that
 * tool's inputs — directly, through a symbolic link, through `..`, and through a hard link — and must
 * exit 2 with one line naming the output flag, leaving every file byte-identical (SHA-256 before and
 * after). A new input or output flag is covered without touching this test; a new input flag only
 * needs a fixture value (the test fails until it has one).
 */
import assert from "node:assert/strict";
import { join, relative } from "node:path";
import { type FlagSpecs, INPUT_KINDS, OUTPUT_KINDS, parseFlags } from "../../lib/cli/_flags.ts";
import { type CliTool, runTool } from "../../lib/cli/_run.ts";
import { classifyTool } from "../../lib/cli/classify.ts";
import { clusterTool } from "../../lib/cli/cluster.ts";
import { dataTool } from "../../lib/cli/data.ts";
import { kernelTool } from "../../lib/cli/kernel.ts";
import { notebooksTool } from "../../lib/cli/notebooks.ts";
import { quickTrainTool } from "../../lib/cli/quick_train.ts";
import { reduceTool } from "../../lib/cli/reduce.ts";
import { searchTool } from "../../lib/cli/search.ts";
import { searchEmdTool } from "../../lib/cli/search_emd.ts";
import { trainTool } from "../../lib/cli/train.ts";
import { silently, treeDigest } from "./_helpers.ts";
import { withTempDir } from "../_helpers.ts";

/** The fixture tree: files and folders that the tools take as inputs (contents never read here). */
const FILES = [
  "images.idx",
  "queries.idx",
  "labels.idx",
  "query-labels.idx",
  "latent.idx",
  "query-latent.idx",
  "classes.txt",
  "cluster.conf",
  "model/metadata.json",
  "model/model.json",
  "model/weights.bin",
  "models/ae-latent10/metadata.json",
  "models/ae-latent10/weights.bin",
  "notebooks/00_tour.ipynb",
  "dataset/train-images-idx3-ubyte",
  "dataset/train-labels-idx1-ubyte",
  "dataset/t10k-images-idx3-ubyte",
  "dataset/t10k-labels-idx1-ubyte",
];

/** Per tool: a value for every input flag and every required non-path flag (paths relative to the fixture). */
const FIXTURES: Record<string, Record<string, string | true>> = {
  reduce: { dataset: "images.idx", queries: "queries.idx", model: "model", models: "models" },
  classify: {
    train: "images.idx",
    trainLabels: "labels.idx",
    test: "queries.idx",
    testLabels: "query-labels.idx",
    model: "model",
    models: "models",
  },
  search: {
    dataset: "images.idx",
    latent: "latent.idx",
    queries: "queries.idx",
    latentQueries: "query-latent.idx",
    k: "3",
    L: "8",
  },
  search_emd: {
    dataset: "images.idx",
    queries: "queries.idx",
    dataLabels: "labels.idx",
    queryLabels: "query-labels.idx",
    emd: true,
  },
  cluster: { dataset: "images.idx", latent: "latent.idx", classes: "classes.txt", config: "cluster.conf" },
  train: { dataset: "dataset" },
  "quick-train": { dataset: "dataset" },
  notebooks: { notebooks: "notebooks" },
  data: {},
  kernel: {},
};

// deno-lint-ignore no-explicit-any
const TOOLS: CliTool<any>[] = [
  reduceTool,
  classifyTool,
  searchTool,
  searchEmdTool,
  clusterTool,
  trainTool,
  quickTrainTool,
  notebooksTool(),
  dataTool,
  kernelTool,
];

type Alias = "direct" | "symlink" | "dotdot" | "hardlink";
const ALIASES: Alias[] = ["direct", "symlink", "dotdot", "hardlink"];

async function makeFixture(dir: string): Promise<void> {
  for (const file of FILES) {
    await Deno.mkdir(join(dir, file, ".."), { recursive: true });
    await Deno.writeTextFile(join(dir, file), `contents of ${file}\n`);
  }
  await Deno.mkdir(join(dir, "sub"));
  await Deno.mkdir(join(dir, "links"));
  await Deno.mkdir(join(dir, "out"));
}

/** The first file inside a fixture folder (what an output file would overwrite in it). */
function fileIn(folder: string): string {
  return FILES.find((file) => file.startsWith(`${folder}/`))!;
}

let linkCount = 0;

/** `target` (relative to `dir`) reached through `alias`; creates the link it needs. */
async function aliasOf(dir: string, target: string, alias: Alias, wantsFolder: boolean): Promise<string> {
  const isFolder = !FILES.includes(target);
  const path = isFolder && !wantsFolder ? fileIn(target) : target;
  linkCount += 1;
  switch (alias) {
    case "direct":
      return join(dir, path);
    case "symlink": {
      const link = join(dir, "links", `s${linkCount}`);
      await Deno.symlink(join(dir, path), link);
      return link;
    }
    case "dotdot":
      return join(dir, "sub") + "/../" + path;
    case "hardlink": {
      const file = FILES.includes(path) ? path : fileIn(path);
      const link = join(dir, "links", `h${linkCount}`);
      await Deno.link(join(dir, file), link);
      return link;
    }
  }
}

function argvOf(specs: FlagSpecs, values: Record<string, string | true>): string[] {
  return Object.entries(values).flatMap(([key, value]) => {
    const flag = specs[key].names[0];
    return value === true ? [flag] : [flag, value];
  });
}

/** A fresh output path for an output flag (nothing there yet). */
function freshOutput(dir: string, tool: string, key: string): string {
  return join(dir, "out", `${tool}-${key}`);
}

Deno.test("no data loss: every output flag pointed at every input (direct, symlink, .., hard link) exits 2 and changes nothing", async () => {
  await withTempDir(async (dir) => {
    await makeFixture(dir);
    let cases = 0;
    for (const tool of TOOLS) {
      const specs: FlagSpecs = tool.flags;
      const fixture = FIXTURES[tool.name];
      assert.ok(fixture, `${tool.name}: no fixture (add one to FIXTURES)`);
      const inputs = Object.entries(specs).filter(([, spec]) => INPUT_KINDS.includes(spec.kind));
      const outputs = Object.entries(specs).filter(([, spec]) => OUTPUT_KINDS.includes(spec.kind));
      for (const [key] of inputs) {
        assert.ok(key in fixture, `${tool.name}: no fixture value for input ${key}`);
      }
      const base: Record<string, string | true> = {};
      for (const [key, value] of Object.entries(fixture)) {
        const spec = specs[key];
        base[key] = value === true || !INPUT_KINDS.includes(spec.kind) ? value : join(dir, value);
      }
      for (const [key] of outputs) base[key] = freshOutput(dir, tool.name, key);
      // The fixture itself passes the flag layer, so each refusal below is the aliasing's doing.
      parseFlags(argvOf(specs, base), specs);
      for (const [outKey, outSpec] of outputs) {
        for (const [inKey] of inputs) {
          for (const alias of ALIASES) {
            const target = await aliasOf(dir, fixture[inKey] as string, alias, outSpec.kind !== "output");
            const before = await treeDigest(dir);
            const label = `${tool.name} ${outSpec.names[0]} -> ${specs[inKey].names[0]} (${alias}: ${
              relative(dir, target)
            })`;
            const run = await silently(() => runTool(tool, argvOf(specs, { ...base, [outKey]: target })));
            assert.equal(run.value, 2, `${label}: exit code; ${run.errors.join(" | ")}`);
            assert.equal(run.errors.length, 1, `${label}: ${run.errors.join(" | ")}`);
            assert.ok(
              run.errors[0].startsWith(`${tool.name}: error: ${outSpec.names[0]}: `),
              `${label}: the error names the output flag: ${run.errors[0]}`,
            );
            assert.deepEqual(await treeDigest(dir), before, `${label}: files changed`);
            cases += 1;
          }
        }
      }
    }
    assert.ok(cases >= 140, `${cases} cases`);
  }, { prefix: "latentlab-no-loss-" });
});
