import assert from "node:assert/strict";
import { type FlagSpec, formatHelp, parseFlags } from "../../lib/cli/_flags.ts";
import { type CliTool, runTool } from "../../lib/cli/_run.ts";
import { InputError } from "../../lib/errors.ts";

const specs: FlagSpec[] = [
  { key: "dataset", names: ["-d", "--dataset"], type: "string", required: true, description: "Dataset" },
  { key: "outDataset", names: ["-od"], type: "string", description: "Output" },
  { key: "k", names: ["-k"], type: "integer", default: 4, min: 1, description: "Hash functions" },
  { key: "w", names: ["-w"], type: "number", min: 0.000001, description: "Window" },
  { key: "emd", names: ["-EMD"], type: "boolean", description: "Use EMD" },
  {
    key: "solver",
    names: ["--solver"],
    type: "string",
    choices: ["highs", "fast"],
    default: "fast",
    description: "Solver",
  },
];

function inputError(pattern: RegExp) {
  return (error: unknown) => error instanceof InputError && pattern.test(error.message);
}

Deno.test("parseFlags: single-dash long flags, --long=value, defaults, booleans", () => {
  const { values, help } = parseFlags(
    ["-d", "a.idx", "-od", "out", "--solver=highs", "-EMD", "-w", "2.5"],
    specs,
  );
  assert.equal(help, false);
  assert.deepEqual(values, { dataset: "a.idx", outDataset: "out", solver: "highs", emd: true, w: 2.5, k: 4 });
  assert.equal(parseFlags(["--help"], specs).help, true);
});

Deno.test("parseFlags: every bad value is an InputError naming the flag", () => {
  assert.throws(() => parseFlags([], specs), inputError(/^-d: required flag is missing/));
  assert.throws(() => parseFlags(["-d", "x", "-k", "0"], specs), inputError(/^-k: 0 is out of range/));
  assert.throws(() => parseFlags(["-d", "x", "-k", "2.5"], specs), inputError(/^-k: expected an integer/));
  assert.throws(() => parseFlags(["-d", "x", "-k", "abc"], specs), inputError(/^-k: expected an integer/));
  assert.throws(() => parseFlags(["-d", "x", "-w", "0"], specs), inputError(/^-w: 0 is out of range/));
  assert.throws(() => parseFlags(["-d", "x", "-k"], specs), inputError(/^-k: missing value/));
  assert.throws(() => parseFlags(["-d", "x", "-zz"], specs), inputError(/^-zz: unknown flag/));
  assert.throws(() => parseFlags(["-d", "x", "stray"], specs), inputError(/unexpected argument "stray"/));
  assert.throws(
    () => parseFlags(["-d", "x", "--solver", "cplex"], specs),
    inputError(/not one of highs, fast/),
  );
});

Deno.test("runTool: help exits 0, InputError exits 2 with one line", async () => {
  const seen: string[] = [];
  const tool: CliTool = {
    name: "demo",
    summary: "A demo tool.",
    flags: specs,
    run(flags) {
      if (flags.dataset === "bad") throw new InputError("bad: wrong magic");
      seen.push(String(flags.dataset));
      return Promise.resolve();
    },
  };
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
    "demo: error: bad: wrong magic",
    "demo: error: -d: required flag is missing (see --help)",
  ]);
  assert.match(formatHelp("demo", "x", specs), /-d, --dataset <string> +Dataset \(required\)/);
});
