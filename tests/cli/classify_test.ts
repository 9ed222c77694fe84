import assert from "node:assert/strict";
import { join } from "node:path";
import { writeImages, writeLabels } from "../../lib/data/idx.ts";
import { runTool } from "../../lib/cli/_run.ts";
import { classifyTool } from "../../lib/cli/classify.ts";
import { assignmentFromClasses, readClassesFile } from "../../lib/data/classes_file.ts";
import { Autoencoder } from "../../lib/nn/autoencoder.ts";
import { Classifier } from "../../lib/nn/classifier.ts";
import { backend, digits } from "../nn/_fixtures.ts";
import { interruptToolProcess, silently, treeDigest } from "./_helpers.ts";
import { withTempDir } from "../_helpers.ts";

async function setup(dir: string, trainCount: number, testCount: number) {
  await backend();
  const train = await digits(trainCount);
  const test = await digits(testCount, trainCount);
  const files = {
    d: join(dir, "train.idx"),
    dl: join(dir, "train-labels.idx"),
    t: join(dir, "test.idx"),
    tl: join(dir, "test-labels.idx"),
    model: join(dir, "ae"),
    out: join(dir, "classes.txt"),
  };
  await writeImages(files.d, train);
  await writeLabels(files.dl, train.labels!);
  await writeImages(files.t, test);
  await writeLabels(files.tl, test.labels!);
  const ae = Autoencoder.create({ filters: [8, 16], latentDim: 10, epochs: 3, batchSize: 16, seed: 1 });
  await ae.fit(train, { progress: false });
  await ae.save(files.model, { dataset: "test" });
  ae.dispose();
  return { files, train, test };
}

Deno.test("classify: a small split beats 90% and its classes file parses back to the same assignment", async () => {
  await withTempDir(async (dir) => {
    const { files, train } = await setup(dir, 1500, 300);
    const save = join(dir, "clf");
    const run = await silently(() =>
      runTool(classifyTool, [
        "-d",
        files.d,
        "-dl",
        files.dl,
        "-t",
        files.t,
        "-tl",
        files.tl,
        "-model",
        files.model,
        "-o",
        files.out,
        "--head-epochs",
        "1",
        "--epochs",
        "12",
        "--batch-size",
        "32",
        "--learning-rate",
        "0.002",
        "--test-shift",
        "1",
        "--save",
        save,
      ])
    );
    assert.equal(run.value, 0, run.errors.join("\n"));
    const text = run.logs.join("\n");
    const accuracy = Number(/test accuracy ([\d.]+)%/.exec(text)?.[1]);
    assert.ok(accuracy > 90, text);
    assert.match(text, /confusion matrix/);
    assert.match(text, /the mean of 5 test-time views \(the image alone: [\d.]+%\)/);
    const classes = await readClassesFile(files.out, { expectedCount: 1500 });
    assert.deepEqual(classes.classIds, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const assignment = assignmentFromClasses(classes);
    const classifier = await Classifier.load(save);
    assert.equal(classifier.config.testTimeShift, 1, "saved with the classifier");
    const predicted = await classifier.predict(train);
    assert.deepEqual(Array.from(assignment), Array.from(predicted));
    // The confusion matrix's diagonal matches the printed accuracy.
    const evaluation = await classifier.evaluate(await digits(300, 1500));
    assert.equal((100 * evaluation.accuracy).toFixed(2), accuracy.toFixed(2));
    assert.equal(evaluation.confusion.flat().reduce((a, b) => a + b, 0), 300);
    classifier.dispose();
  });
});

Deno.test("classify: bad input -> one line, exit 2, no classes file", async () => {
  await withTempDir(async (dir) => {
    const { files } = await setup(dir, 40, 20);
    const shortLabels = join(dir, "short-labels.idx");
    await writeLabels(shortLabels, new Uint8Array(39));
    const small = join(dir, "small.idx");
    await writeImages(small, { count: 20, rows: 14, cols: 14, pixels: new Uint8Array(20 * 196) });
    const badLabels = join(dir, "bad-labels.idx");
    await writeLabels(badLabels, new Uint8Array(20).fill(12));
    const args = (over: Record<string, string>) => {
      const f = { ...files, ...over };
      return [
        "-d",
        f.d,
        "-dl",
        f.dl,
        "-t",
        f.t,
        "-tl",
        f.tl,
        "-model",
        f.model,
        "-o",
        f.out,
        "--epochs",
        "0",
      ];
    };
    const cases: [string[], RegExp][] = [
      [args({ dl: shortLabels }), /short-labels\.idx: 39 labels for 40 images/],
      [args({ d: join(dir, "none.idx") }), /none\.idx: file not found/],
      [args({ t: small, tl: files.tl }), /small\.idx: test images are 14x14/],
      [args({ tl: badLabels }), /bad-labels\.idx: label 12 at 0 never occurs/],
      [args({ model: join(dir, "missing-model") }), /missing-model: model folder not found/],
      [args({ model: files.d }), /-model: .*train\.idx is a file, expected a model folder/],
      [args({ out: files.d }), /-o: .* is the input file of -d/],
      [args({ out: join(dir, "nofolder", "c.txt") }), /-o: cannot write/],
      [[...args({}), "--dropout", "1"], /--dropout: 1 is out of range/],
      [[...args({}), "--test-shift", "9"], /--test-shift: 9 is out of range/],
    ];
    for (const [argv, pattern] of cases) {
      const run = await silently(() => runTool(classifyTool, argv));
      assert.equal(run.value, 2, `${argv.join(" ")}: ${run.errors.join("\n")}`);
      assert.equal(run.errors.length, 1, run.errors.join("\n"));
      assert.match(run.errors[0], pattern);
      assert.ok(!Array.from(Deno.readDirSync(dir)).some((e) => e.name.includes("classes")));
    }
    // Images of another size than the model's input.
    await writeLabels(join(dir, "small-labels.idx"), new Uint8Array(20));
    const run = await silently(() =>
      runTool(
        classifyTool,
        args({ d: small, dl: join(dir, "small-labels.idx"), t: small, tl: join(dir, "small-labels.idx") }),
      )
    );
    assert.equal(run.value, 2);
    assert.match(run.errors[0], /small\.idx: images are 14x14, but the model .* takes 28x28x1/);
  });
});

Deno.test({
  name: "classify: Ctrl-C while training exits 130; the classes file and --save folder are left as they were",
  ignore: Deno.build.os === "windows",
  async fn() {
    await withTempDir(async (dir) => {
      const { files } = await setup(dir, 400, 50);
      await Deno.writeTextFile(files.out, "CLUSTER-0 { size: 1, 0}\n");
      const before = await treeDigest(dir);
      const run = await interruptToolProcess("classify", [
        ...["-d", files.d, "-dl", files.dl, "-t", files.t, "-tl", files.tl, "-model", files.model],
        ...["-o", files.out, "--save", join(dir, "clf"), "--epochs", "500", "--patience", "500"],
      ], { when: /classify: encoder of/, delayMs: 300 }); // 300 ms: well into the training
      assert.equal(run.code, 130, run.stdout + run.stderr);
      assert.match(run.stderr, /classify: interrupted \(SIGINT\); the previous outputs are unchanged/);
      assert.deepEqual(await treeDigest(dir), before);
    });
  },
});

Deno.test("classify: --save never replaces the autoencoder, a labels file or a folder that is not a model", async () => {
  await withTempDir(async (dir) => {
    const { files } = await setup(dir, 40, 20);
    await Deno.mkdir(join(dir, "keep"));
    await Deno.writeTextFile(join(dir, "keep", "notes.txt"), "x");
    await Deno.writeTextFile(files.out, "old classes\n");
    const before = await treeDigest(dir);
    const base = ["-d", files.d, "-dl", files.dl, "-t", files.t, "-tl", files.tl, "-model", files.model];
    const cases: [string[], RegExp][] = [
      [
        ["--save", join(dir, "keep")],
        /^classify: error: --save: .*keep is a folder that is not a latentlab model/,
      ],
      [["--save", join(dir, "keep"), "--force"], /--save: .*keep is a folder that is not a latentlab model/],
      [["--save", files.dl], /^classify: error: --save: .*train-labels\.idx is a file/],
      [["--save", join(files.dl, "m")], /^classify: error: --save: cannot create .* is not a folder/],
      [["--save", files.model, "--force"], /^classify: error: --save: .*ae is the model folder of -model/],
      [
        ["--save", join(dir, "keep", "..", "ae")],
        /^classify: error: --save: .* is the model folder of -model/,
      ],
      [
        ["-o", join(files.model, "model.json")],
        /^classify: error: -o: .* lies inside the model folder of -model/,
      ],
    ];
    for (const [extra, pattern] of cases) {
      const out = extra.includes("-o") ? [] : ["-o", files.out];
      const argv = [...base, ...out, "--epochs", "0", "--head-epochs", "1", ...extra];
      const run = await silently(() => runTool(classifyTool, argv));
      assert.equal(run.value, 2, `${extra.join(" ")}: ${run.errors.join(" | ")}`);
      assert.equal(run.errors.length, 1, run.errors.join(" | "));
      assert.match(run.errors[0], pattern);
      assert.deepEqual(await treeDigest(dir), before, extra.join(" "));
    }
    // Another autoencoder (a model of another kind) is replaced only with --force.
    const other = join(dir, "other-ae");
    const ae = Autoencoder.create({ filters: [2, 2], latentDim: 3 });
    await ae.save(other);
    ae.dispose();
    const argv = [...base, "-o", files.out, "--epochs", "0", "--head-epochs", "1", "--save", other];
    const refused = await silently(() => runTool(classifyTool, argv));
    assert.equal(refused.value, 2);
    assert.match(
      refused.errors[0],
      /--save: .*other-ae holds an autoencoder model, not a classifier; --force replaces it/,
    );
    const forced = await silently(() => runTool(classifyTool, [...argv, "--force"]));
    assert.equal(forced.value, 0, forced.errors.join("\n"));
    assert.equal((await Classifier.load(other)).metadata?.kind, "classifier");
    // The same settings again replace the classifier without --force (same computation).
    const again = await silently(() => runTool(classifyTool, argv));
    assert.equal(again.value, 0, again.errors.join("\n"));
  });
});

Deno.test("classify: a training label file with an empty class (one byte set to 200) is refused naming it", async () => {
  await withTempDir(async (dir) => {
    const { files, train } = await setup(dir, 40, 20);
    const labels = train.labels!.slice();
    labels[7] = 200;
    await writeLabels(files.dl, labels);
    const run = await silently(() =>
      runTool(classifyTool, [
        ...["-d", files.d, "-dl", files.dl, "-t", files.t, "-tl", files.tl, "-model", files.model],
        ...["-o", files.out, "--epochs", "0"],
      ])
    );
    assert.equal(run.value, 2);
    assert.equal(run.errors.length, 1);
    assert.match(run.errors[0], /train-labels\.idx: label 200 \(at 7\) but no image has label 10\.\.199/);
  });
});
