import assert from "node:assert/strict";
import { join } from "node:path";
import { runTool } from "../../lib/cli/_run.ts";
import { defaultSweepGrid, trainTool } from "../../lib/cli/train.ts";
import { sweepGrid } from "../../lib/nn/notebook_a.ts";
import { readModelMetadata } from "../../lib/nn/persistence.ts";
import { backend } from "../nn/_fixtures.ts";
import { silently, treeDigest } from "./_helpers.ts";
import { withTempDir } from "../_helpers.ts";

Deno.test("train: every bad flag is one line naming it, exit 2, before any work", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(join(dir, "file"), "x");
    const models = ["--models", join(dir, "models")];
    const cases: [string[], RegExp][] = [
      [
        ["--latent-dims", "100000000", ...models],
        /^train: error: --latent-dims: 100000000 is out of range \(must be <= 4096\)/,
      ],
      [["--latent-dims", "10,10", ...models], /^train: error: --latent-dims: 10,10 repeats a value/],
      [["--kernel-size", "99", ...models], /^train: error: --kernel-size: 99 is out of range/],
      [["--conv-layers", "7", ...models], /^train: error: --conv-layers: 7 is out of range/],
      [
        ["--conv-layers", "6", ...models],
        /^train: error: --conv-layers: 6 conv layers need --filters with 6 values/,
      ],
      [
        ["--conv-layers", "3", "--filters", "8,16", ...models],
        /^train: error: --filters: 2 values for --conv-layers 3/,
      ],
      [["--models", join(dir, "file")], /^train: error: --models: .*file is a file, expected a folder/],
      [["-d", join(dir, "nope"), ...models], /^train: error: -d: .*nope: unknown data set/],
      [["--csv", join(dir, "t.csv"), ...models], /^train: error: --csv: only with --sweep/],
      [["--learning-rate", "0", ...models], /^train: error: --learning-rate: 0 is out of range/],
    ];
    const before = await treeDigest(dir);
    for (const [argv, pattern] of cases) {
      const run = await silently(() => runTool(trainTool, argv));
      assert.equal(run.value, 2, `${argv.join(" ")}: ${run.errors.join(" | ")}`);
      assert.equal(run.errors.length, 1, run.errors.join(" | "));
      assert.match(run.errors[0], pattern);
      assert.deepEqual(await treeDigest(dir), before);
    }
  });
});

Deno.test("train: a model trained with other settings is not replaced without --force", async () => {
  await backend();
  await withTempDir(async (dir) => {
    const models = join(dir, "models");
    const args = ["--latent-dims", "4", "--limit", "100", "--filters", "2,2", "--models", models];
    const first = await silently(() => runTool(trainTool, [...args, "--epochs", "1"]));
    assert.equal(first.value, 0, first.errors.join("\n"));
    const reused = await silently(() => runTool(trainTool, [...args, "--epochs", "1"]));
    assert.match(reused.logs.join("\n"), /ae-latent4 \(reused, unchanged\)/);
    const before = await treeDigest(dir);
    const other = await silently(() => runTool(trainTool, [...args, "--epochs", "2"]));
    assert.equal(other.value, 2);
    assert.equal(other.errors.length, 1, other.errors.join(" | "));
    assert.match(
      other.errors[0],
      /^train: error: --models: .*ae-latent4 holds an autoencoder model trained with other settings .*--force replaces it/,
    );
    assert.deepEqual(await treeDigest(dir), before);
    const forced = await silently(() => runTool(trainTool, [...args, "--epochs", "2", "--force"]));
    assert.equal(forced.value, 0, forced.errors.join("\n"));
    assert.equal((await readModelMetadata(join(models, "ae-latent4"))).config.epochs, 2);
  });
});

Deno.test("train: the --sweep grid is notebook A's full grid at batch size 32", () => {
  const grid = defaultSweepGrid(7);
  assert.equal(grid.length, 8);
  assert.deepEqual(grid, sweepGrid("full", { epochs: 7 }).filter((config) => config.batchSize === 32));
  assert.ok(grid.every((config) => config.epochs === 7));
});
