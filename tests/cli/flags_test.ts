import assert from "node:assert/strict";
import { join } from "node:path";
import { type FlagValues, formatHelp, parseFlags } from "../../lib/cli/_flags.ts";
import { defineTool, runTool } from "../../lib/cli/_run.ts";
import { InputError } from "../../lib/errors.ts";
import { withTempDir } from "../_helpers.ts";

const specs = {
  dataset: { names: ["-d", "--dataset"], kind: "string", required: true, description: "Dataset" },
  outDataset: { names: ["-od"], kind: "string", description: "Output" },
  k: { names: ["-k"], kind: "integer", default: 4, min: 1, max: 100, description: "Hash functions" },
  w: { names: ["-w"], kind: "number", min: 0, minExclusive: true, max: 10, description: "Window" },
  emd: { names: ["-EMD"], kind: "boolean", description: "Use EMD" },
  solver: {
    names: ["--solver"],
    kind: "string",
    choices: ["highs", "fast"],
    default: "fast",
    description: "Solver",
  },
  dims: { names: ["--dims"], kind: "integers", min: 1, max: 500, maxItems: 3, description: "Dims" },
  param: { names: ["-p", "--param"], kind: "string", repeatable: true, description: "Parameter" },
} as const;

function inputError(pattern: RegExp) {
  return (error: unknown) => error instanceof InputError && pattern.test(error.message);
}

Deno.test("parseFlags: single-dash long flags, --long=value, defaults, booleans, lists, repeatable", () => {
  const { values, help } = parseFlags(
    [
      "-d",
      "a.idx",
      "-od",
      "out",
      "--solver=highs",
      "-EMD",
      "-w",
      "2.5",
      "--dims",
      "10, 20",
      "-p",
      "a=1",
      "--param=b=2",
    ],
    specs,
  );
  assert.equal(help, false);
  assert.deepEqual(values, {
    dataset: "a.idx",
    outDataset: "out",
    solver: "highs",
    emd: true,
    w: 2.5,
    k: 4,
    dims: [10, 20],
    param: ["a=1", "b=2"],
  });
  const defaults = parseFlags(["-d", "x"], specs).values;
  assert.deepEqual(defaults, { dataset: "x", k: 4, solver: "fast", emd: false, param: [] });
  assert.equal(parseFlags(["--help"], specs).help, true);
});

Deno.test("parseFlags: the values' types follow the specs (no casts)", () => {
  const values: FlagValues<typeof specs> = parseFlags(["-d", "x"], specs).values;
  const k: number = values.k; // default: never undefined
  const solver: "highs" | "fast" = values.solver; // choices: a union of literals
  const w: number | undefined = values.w; // optional
  const param: string[] = values.param; // repeatable
  const emd: boolean = values.emd;
  // @ts-expect-error an optional flag may be undefined
  const notSure: number = values.w;
  // @ts-expect-error not one of the choices
  const other: typeof values.solver = "cplex";
  assert.deepEqual([k, solver, w, param, emd, notSure, other], [
    4,
    "fast",
    undefined,
    [],
    false,
    undefined,
    "cplex",
  ]);
});

Deno.test("parseFlags: every bad value is an InputError naming the flag", () => {
  assert.throws(() => parseFlags([], specs), inputError(/^-d: required flag is missing/));
  assert.throws(
    () => parseFlags(["-d", "x", "-k", "0"], specs),
    inputError(/^-k: 0 is out of range \(must be >= 1\)/),
  );
  assert.throws(
    () => parseFlags(["-d", "x", "-k", "101"], specs),
    inputError(/^-k: 101 is out of range \(must be <= 100\)/),
  );
  assert.throws(() => parseFlags(["-d", "x", "-k", "2.5"], specs), inputError(/^-k: expected an integer/));
  assert.throws(() => parseFlags(["-d", "x", "-k", "abc"], specs), inputError(/^-k: expected an integer/));
  assert.throws(() => parseFlags(["-d", "x", "-k", "1e999"], specs), inputError(/^-k: expected an integer/));
  assert.throws(
    () => parseFlags(["-d", "x", "-w", "0"], specs),
    inputError(/^-w: 0 is out of range \(must be > 0\)/),
  );
  assert.throws(() => parseFlags(["-d", "x", "-w", "NaN"], specs), inputError(/^-w: expected a number/));
  assert.throws(() => parseFlags(["-d", "x", "-k"], specs), inputError(/^-k: missing value/));
  assert.throws(() => parseFlags(["-d", "x", "-zz"], specs), inputError(/^-zz: unknown flag/));
  assert.throws(() => parseFlags(["-d", "x", "stray"], specs), inputError(/unexpected argument "stray"/));
  assert.throws(() => parseFlags(["-d", "x", "-d", "y"], specs), inputError(/^-d: given twice/));
  assert.throws(() => parseFlags(["-d", "x", "-EMD=1"], specs), inputError(/^-EMD=1: unknown flag/));
  assert.throws(() => parseFlags(["-d", ""], specs), inputError(/^-d: empty value/));
  assert.throws(
    () => parseFlags(["-d", "x", "--dims", "10,,20"], specs),
    inputError(/^--dims: .* separated by commas/),
  );
  assert.throws(
    () => parseFlags(["-d", "x", "--dims", "1,2,3,4"], specs),
    inputError(/^--dims: 4 values, at most 3/),
  );
  assert.throws(
    () => parseFlags(["-d", "x", "--dims", "10,501"], specs),
    inputError(/^--dims: 501 is out of range/),
  );
  assert.throws(
    () => parseFlags(["-d", "x", "--solver", "cplex"], specs),
    inputError(/^--solver: "cplex" is not one of highs, fast/),
  );
});

Deno.test("parseFlags: path kinds resolve outputs and refuse inputs, before any work", async () => {
  await withTempDir(async (dir) => {
    const input = join(dir, "in.idx");
    await Deno.writeTextFile(input, "data");
    await Deno.mkdir(join(dir, "model"));
    await Deno.writeTextFile(join(dir, "model", "weights.bin"), "w");
    const paths = {
      input: { names: ["-i"], kind: "input", required: true, description: "Input" },
      model: { names: ["--model"], kind: "inputFolder", role: "model folder", description: "Model" },
      out: { names: ["-o"], kind: "output", required: true, description: "Output" },
      save: { names: ["--save"], kind: "outputModel", description: "Save" },
      results: { names: ["--results"], kind: "outputFolder", description: "Results" },
    } as const;
    const link = join(dir, "link");
    await Deno.symlink(join(dir, "model"), link);
    const ok = parseFlags(
      ["-i", input, "-o", join(link, "..", "out.txt"), "--results", join(dir, "r", "s")],
      paths,
    );
    assert.equal(ok.values.input, input, "inputs keep the path as given");
    assert.equal(ok.values.out, join(await Deno.realPath(dir), "out.txt"), "outputs are resolved physically");
    assert.equal(ok.values.results, join(await Deno.realPath(dir), "r", "s"));
    const refuse = (argv: string[], pattern: RegExp) =>
      assert.throws(() => parseFlags(argv, paths), inputError(pattern));
    refuse(["-i", join(dir, "none"), "-o", join(dir, "x")], /^-i: .*none: file not found/);
    refuse(["-i", input, "-o", input], /^-o: .*in\.idx is the input file of -i/);
    refuse(["-i", input, "-o", join(dir, "model", "..", "in.idx")], /^-o: .* is the input file of -i/);
    refuse(
      ["-i", input, "-o", join(link, "weights.bin"), "--model", join(dir, "model")],
      /^-o: .* lies inside the model folder of --model/,
    );
    refuse(
      ["-i", input, "-o", join(dir, "x"), "--save", join(dir, "model"), "--model", join(dir, "model")],
      /^--save: .* is the model folder of --model/,
    );
    refuse(["-i", input, "-o", join(dir, "x"), "--save", dir], /^--save: .* holds .*in\.idx, an input of -i/);
    refuse(["-i", input, "-o", join(dir, "x"), "--save", input], /^--save: .* is a file/);
    refuse(
      ["-i", input, "-o", join(dir, "x"), "--results", input],
      /^--results: .* is a file, expected a folder/,
    );
    refuse(["-i", input, "-o", join(dir, "model")], /^-o: .* is a folder, expected a file/);
    await Deno.link(input, join(dir, "hard"));
    refuse(["-i", input, "-o", join(dir, "hard")], /^-o: .*hard is a hard link to .*in\.idx, an input of -i/);
  });
});

Deno.test("runTool: help exits 0, InputError exits 2 with one line", async () => {
  const seen: string[] = [];
  const tool = defineTool({
    name: "demo",
    summary: "A demo tool.",
    flags: specs,
    run(flags) {
      if (flags.dataset === "bad") throw new InputError("bad: wrong magic\nsecond line");
      seen.push(flags.dataset);
      return Promise.resolve();
    },
  });
  const errors: string[] = [];
  const logs: string[] = [];
  const originalError = console.error;
  const originalLog = console.log;
  console.error = (...args: unknown[]) => errors.push(args.join(" "));
  console.log = (...args: unknown[]) => logs.push(args.join(" "));
  try {
    assert.equal(await runTool(tool, ["--help"]), 0);
    assert.equal(await runTool(tool, ["-d", "good"]), 0);
    assert.equal(await runTool(tool, ["-d", "bad"]), 2);
    assert.equal(await runTool(tool, ["-k", "1"]), 2);
  } finally {
    console.error = originalError;
    console.log = originalLog;
  }
  assert.deepEqual(seen, ["good"]);
  assert.match(logs[0], /^Usage: demo/);
  assert.deepEqual(errors, [
    "demo: error: bad: wrong magic second line",
    "demo: error: -d: required flag is missing (see --help)",
  ]);
  const help = formatHelp("demo", "x", specs);
  assert.match(help, /-d, --dataset <text> +Dataset \(required\)/);
  assert.match(help, /-k <integer> +Hash functions \[1 \.\. 100\] \(default: 4\)/);
  assert.match(help, /-w <number> +Window \[> 0 \.\. 10\]/);
  assert.match(help, /-p, --param <text> +Parameter \(repeatable\)/);
});

Deno.test("runTool: the temporaries a killed run left in an output folder are removed before the work", async () => {
  await withTempDir(async (dir) => {
    const child = new Deno.Command("true").spawn();
    await child.status; // its process id is not running any more
    const stale = join(dir, `.out.txt.latentlab-${child.pid}-1.tmp`);
    const legacy = join(dir, `.out.txt.${child.pid}.1.tmp`); // the earlier writer's name for it
    await Deno.writeTextFile(stale, "half a result");
    await Deno.writeTextFile(legacy, "half a result");
    const seen: string[][] = [];
    const tool = defineTool({
      name: "demo",
      summary: "A demo tool.",
      flags: { out: { names: ["-o"], kind: "output", required: true, description: "Output" } },
      run() {
        seen.push([...Deno.readDirSync(dir)].map((entry) => entry.name));
        return Promise.resolve();
      },
    });
    assert.equal(await runTool(tool, ["-o", join(dir, "out.txt")]), 0);
    assert.deepEqual(seen, [[]]);
  });
});
