import assert from "node:assert/strict";
import { InputError } from "../../lib/errors.ts";
import { formatSearchEmdOutput, parseSearchEmdOutput, type SearchEmdReport } from "../../lib/emd/output.ts";

const report: SearchEmdReport = {
  emdCorrect: 0.8735,
  manhattanCorrect: 0.869,
  queries: 200,
  neighbours: 10,
  emdBootstrap: { low: 0.85, high: 0.895 },
  manhattanBootstrap: { low: 0.845, high: 0.891 },
  emdWilson: { low: 0.858, high: 0.887 },
  manhattanWilson: { low: 0.853, high: 0.883 },
  emdMilliseconds: 4321.5,
  manhattanMilliseconds: 120.25,
  emdSetupMilliseconds: 300,
  manhattanSetupMilliseconds: 50.5,
  solved: 54600,
  pruned: 1545400,
  window: 4,
  windows: 49,
  solver: "fast",
  bound: "projection",
  workers: 2,
  seed: 1,
  resamples: 2000,
  dataset: "data/mnist-sample/train-images-idx3-ubyte",
  datasetCount: 8000,
  queryFile: "data/mnist-sample/t10k-images-idx3-ubyte",
  datasetLabels: "data/mnist-sample/train-labels-idx1-ubyte",
  queryLabels: "data/mnist-sample/t10k-labels-idx1-ubyte",
};

Deno.test("search_emd output: headline lines and round trip", () => {
  const text = formatSearchEmdOutput(report);
  const lines = text.split("\n");
  assert.equal(lines[0], "Average Correct Search Results EMD: 0.873500");
  assert.equal(lines[1], "Average Correct Search Results MANHATTAN: 0.869000");
  assert.match(text, /^EMD LPs pruned: 1545400 \(96\.59% of 1600000 pairs\)$/m);
  assert.deepEqual(parseSearchEmdOutput(text), report);
});

Deno.test("search_emd output parser rejects a file without the headline", () => {
  const text = formatSearchEmdOutput(report).split("\n").slice(1).join("\n");
  assert.throws(() => parseSearchEmdOutput(text, "out.txt"), InputError);
});
