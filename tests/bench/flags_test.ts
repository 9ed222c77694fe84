import assert from "node:assert/strict";
import { join } from "node:path";
import { PROJECT_ROOT } from "../../lib/util/project_root.ts";

/** Runs a benchmark script with `args`; its exit code and stderr lines. */
async function runBench(script: string, args: string[]) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(PROJECT_ROOT, "bench", script), ...args],
    cwd: PROJECT_ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const lines = new TextDecoder().decode(output.stderr).split("\n").filter((line) => line.trim() !== "");
  return { code: output.code, lines, stdout: new TextDecoder().decode(output.stdout) };
}

Deno.test("bench:knn: a bad number or flag gets one line naming it and exit 2, before any work", async () => {
  const cases: [string[], RegExp][] = [
    [["--queries", "0"], /^bench:knn: --queries: expected a positive integer, got "0"$/],
    [["--w=-1"], /^bench:knn: --w: expected a positive number, got "-1"$/],
    [["--lsh-crowded-curve", "1.5,x"], /^bench:knn: --lsh-crowded-curve: .* got "x"$/],
    [["--reads-candidates", "0"], /^bench:knn: --reads-candidates: .* got "0"$/],
    [["--lsh-curve", "100,abc"], /^bench:knn: --lsh-curve: .* got "abc"$/],
    [["--probes", "1.5"], /^bench:knn: --probes: expected a non-negative integer, got "1.5"$/],
    [["--nnd-epsilons", "0,-1"], /^bench:knn: --nnd-epsilons: .* got "-1"$/],
    [["--max-bucket", "0"], /^bench:knn: --max-bucket: .* got "0"$/],
    [["--frobnicate"], /^bench:knn: Unknown option '--frobnicate'/],
  ];
  for (const [args, expected] of cases) {
    const { code, lines, stdout } = await runBench("knn.ts", args);
    assert.equal(code, 2, `${args.join(" ")}: ${lines.join("\n")}`);
    assert.equal(lines.length, 1, `${args.join(" ")}: ${lines.join("\n")}`);
    assert.match(lines[0], expected);
    assert.equal(stdout, "", "no benchmark ran");
  }
});

Deno.test("bench:lsh-ab: wrong checkouts or a bad number get one line and exit 2", async () => {
  const cases: [string[], RegExp][] = [
    [["."], /give two checkouts/],
    [[".", "/"], /not a checkout of this repository/],
    [[".", ".", "--rounds", "0"], /--rounds: expected a positive integer, got "0"/],
  ];
  for (const [args, expected] of cases) {
    const { code, lines } = await runBench("lsh_ab.ts", args);
    assert.equal(code, 2, `${args.join(" ")}: ${lines.join("\n")}`);
    assert.equal(lines.length, 1, `${args.join(" ")}: ${lines.join("\n")}`);
    assert.match(lines[0], expected);
  }
  const help = await runBench("lsh_ab.ts", ["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /deno task bench:lsh-ab <checkout A> <checkout B>/);
});
