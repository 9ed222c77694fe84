import assert from "node:assert/strict";
import { join } from "node:path";
import { runTool } from "../../lib/cli/_run.ts";
import { quickTrainTool } from "../../lib/cli/quick_train.ts";
import { Autoencoder } from "../../lib/nn/autoencoder.ts";
import { readModelMetadata } from "../../lib/nn/persistence.ts";
import { backend } from "../nn/_fixtures.ts";
import { interruptToolProcess, silently, treeDigest } from "./_helpers.ts";
import { withTempDir } from "../_helpers.ts";

Deno.test({
  name: "quick-train: Ctrl-C while training exits 130 and writes nothing (no model, no temporaries)",
  ignore: Deno.build.os === "windows",
  async fn() {
    await withTempDir(async (dir) => {
      const run = await interruptToolProcess(
        "quick_train",
        ["--limit", "300", "--epochs", "200", "--progress", "--save", `${dir}/m`],
        { when: /epoch 2\/200/, stream: "stderr" },
      );
      assert.equal(run.code, 130, run.stderr);
      assert.deepEqual([...Deno.readDirSync(dir)], [], "no model folder and no temporary");
    });
  },
});

Deno.test("quick-train: saves a checksummed model; never replaces a non-model folder or another model silently", async () => {
  await backend();
  await withTempDir(async (dir) => {
    const save = join(dir, "m");
    const args = ["--limit", "120", "--epochs", "1", "--save", save];
    const first = await silently(() => runTool(quickTrainTool, args));
    assert.equal(first.value, 0, first.errors.join("\n"));
    const metadata = await readModelMetadata(save);
    assert.match(metadata.weightsSha256 ?? "", /^[0-9a-f]{64}$/);
    // The same settings again: the model is replaced (it is the same computation).
    const again = await silently(() => runTool(quickTrainTool, args));
    assert.equal(again.value, 0, again.errors.join("\n"));
    // Other settings: refused before any training, the model unchanged.
    const before = await treeDigest(dir);
    const other = await silently(() =>
      runTool(quickTrainTool, ["--limit", "120", "--epochs", "2", "--save", save])
    );
    assert.equal(other.value, 2);
    assert.deepEqual(other.errors.length, 1, other.errors.join("\n"));
    assert.match(
      other.errors[0],
      /--save: .*m holds an autoencoder model trained with other settings .*--force replaces it/,
    );
    assert.deepEqual(await treeDigest(dir), before);
    // A folder that is not a model, and a file: never replaced, even with --force.
    const keep = join(dir, "keep");
    await Deno.mkdir(keep);
    await Deno.writeTextFile(join(keep, "notes.txt"), "x");
    const notes = await treeDigest(dir);
    for (const target of [keep, join(keep, "notes.txt")]) {
      const run = await silently(() =>
        runTool(quickTrainTool, [...args.slice(0, 4), "--save", target, "--force"])
      );
      assert.equal(run.value, 2);
      assert.equal(run.errors.length, 1);
      assert.match(run.errors[0], /--save: .*(is a folder that is not a latentlab model|is a file)/);
    }
    assert.deepEqual(await treeDigest(dir), notes);
    // A model of another kind is replaced only with --force.
    const ae = Autoencoder.create({ filters: [2, 2], latentDim: 3 });
    const other2 = join(dir, "other");
    await ae.save(other2, { hash: "someone else's" });
    ae.dispose();
    const refused = await silently(() => runTool(quickTrainTool, [...args.slice(0, 4), "--save", other2]));
    assert.equal(refused.value, 2);
    const forced = await silently(() =>
      runTool(quickTrainTool, [...args.slice(0, 4), "--save", other2, "--force"])
    );
    assert.equal(forced.value, 0, forced.errors.join("\n"));
    assert.notEqual((await readModelMetadata(other2)).hash, "someone else's");
  });
});
