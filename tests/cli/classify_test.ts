import assert from "node:assert/strict";
import { join } from "node:path";
import { writeImages, writeLabels } from "../../lib/data/idx.ts";
import { runTool } from "../../lib/cli/_run.ts";
import { classifyTool } from "../../lib/cli/classify.ts";
import { assignmentFromClasses, readClassesFile } from "../../lib/data/classes_file.ts";
import { Autoencoder } from "../../lib/nn/autoencoder.ts";
import { Classifier } from "../../lib/nn/classifier.ts";
import { backend, digits } from "../nn/_fixtures.ts";

function silently<T>(fn: () => Promise<T>): Promise<{ value: T; errors: string[]; logs: string[] }> {
  const errors: string[] = [];
  const logs: string[] = [];
  const [error, log] = [console.error, console.log];
  console.error = (...a: unknown[]) => errors.push(a.join(" "));
  console.log = (...a: unknown[]) => logs.push(a.join(" "));
  return fn().then((value) => ({ value, errors, logs })).finally(() => {
    console.error = error;
    console.log = log;
  });
}

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
  const dir = await Deno.makeTempDir();
  try {
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
        "--save",
        save,
      ])
    );
    assert.equal(run.value, 0, run.errors.join("\n"));
    const text = run.logs.join("\n");
    const accuracy = Number(/test accuracy ([\d.]+)%/.exec(text)?.[1]);
    assert.ok(accuracy > 90, text);
    assert.match(text, /confusion matrix/);
    const classes = await readClassesFile(files.out, { expectedCount: 1500 });
    assert.deepEqual(classes.classIds, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const assignment = assignmentFromClasses(classes);
    const classifier = await Classifier.load(save);
    const predicted = await classifier.predict(train);
    assert.deepEqual(Array.from(assignment), Array.from(predicted));
    // The confusion matrix's diagonal matches the printed accuracy.
    const evaluation = await classifier.evaluate(await digits(300, 1500));
    assert.equal((100 * evaluation.accuracy).toFixed(2), accuracy.toFixed(2));
    assert.equal(evaluation.confusion.flat().reduce((a, b) => a + b, 0), 300);
    classifier.dispose();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("classify: bad input -> one line, exit 2, no classes file", async () => {
  const dir = await Deno.makeTempDir();
  try {
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
      [args({ model: files.d }), /train\.idx: is a file, expected a model folder/],
      [args({ out: files.d }), /-o: .* is the same file as -d/],
      [args({ out: join(dir, "nofolder", "c.txt") }), /-o: cannot write/],
      [[...args({}), "--dropout", "1"], /--dropout: 1 is out of range/],
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
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
