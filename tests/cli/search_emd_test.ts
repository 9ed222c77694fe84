import assert from "node:assert/strict";
import { join } from "node:path";
import { writeImages, writeLabels } from "../../lib/data/idx.ts";
import { runTool } from "../../lib/cli/_run.ts";
import { searchEmdTool } from "../../lib/cli/search_emd.ts";
import { parseSearchEmdOutput } from "../../lib/emd/output.ts";
import { realImages } from "../emd/_fixtures.ts";

async function fixture(): Promise<Record<string, string>> {
  const folder = await Deno.makeTempDir({ prefix: "search_emd_test_" });
  const data = await realImages(60);
  const queries = await realImages(6, "test");
  const labels = (n: number, offset: number) => Uint8Array.from({ length: n }, (_, i) => (i + offset) % 3);
  const paths: Record<string, string> = {
    folder,
    d: join(folder, "data.idx"),
    q: join(folder, "queries.idx.gz"),
    l1: join(folder, "data-labels.idx"),
    l2: join(folder, "query-labels.idx"),
    out: join(folder, "out", "result.txt"),
  };
  await Deno.mkdir(join(folder, "out"));
  await writeImages(paths.d, data);
  await writeImages(paths.q, queries);
  await writeLabels(paths.l1, labels(60, 0));
  await writeLabels(paths.l2, labels(6, 1));
  // Broken variants.
  paths.short = join(folder, "short-labels.idx");
  await writeLabels(paths.short, labels(59, 0));
  paths.truncated = join(folder, "truncated.idx");
  const bytes = await Deno.readFile(paths.d);
  await Deno.writeFile(paths.truncated, bytes.subarray(0, bytes.length - 100));
  paths.small = join(folder, "small.idx");
  await writeImages(paths.small, { count: 6, rows: 14, cols: 14, pixels: new Uint8Array(6 * 196).fill(1) });
  paths.empty = join(folder, "empty.idx");
  await writeImages(paths.empty, { count: 0, rows: 28, cols: 28, pixels: new Uint8Array(0) });
  paths.zero = join(folder, "zero.idx");
  const zero = { ...data, pixels: data.pixels.slice() };
  zero.pixels.fill(0, 17 * 784, 18 * 784);
  await writeImages(paths.zero, zero);
  return paths;
}

function args(
  p: Record<string, string>,
  overrides: Record<string, string | null> = {},
  extra: string[] = [],
): string[] {
  const base: Record<string, string | null> = {
    "-d": p.d,
    "-q": p.q,
    "-l1": p.l1,
    "-l2": p.l2,
    "-o": p.out,
    ...overrides,
  };
  const list: string[] = [];
  for (const [flag, value] of Object.entries(base)) if (value !== null) list.push(flag, value);
  return [...list, ...extra];
}

async function silenced<T>(action: () => Promise<T>): Promise<{ result: T; stderr: string }> {
  const original = console.error;
  let stderr = "";
  console.error = (...parts: unknown[]) => {
    stderr += parts.join(" ") + "\n";
  };
  try {
    return { result: await action(), stderr };
  } finally {
    console.error = original;
  }
}

Deno.test("search_emd writes both correctness lines, parsed back", async () => {
  const p = await fixture();
  try {
    const code = await runTool(
      searchEmdTool,
      args(p, {}, ["-EMD", "--window", "7", "--neighbours", "5", "--workers", "1"]),
    );
    assert.equal(code, 0);
    const report = parseSearchEmdOutput(await Deno.readTextFile(p.out));
    assert.equal(report.queries, 6);
    assert.equal(report.neighbours, 5);
    assert.equal(report.window, 7);
    assert.equal(report.windows, 16);
    assert.equal(report.solver, "fast");
    assert.equal(report.solved + report.pruned, 6 * 60);
    for (const value of [report.emdCorrect, report.manhattanCorrect]) assert.ok(value >= 0 && value <= 1);
    assert.ok(report.emdBootstrap.low <= report.emdCorrect && report.emdCorrect <= report.emdBootstrap.high);
    // The same run with HiGHS gives the same correctness.
    const code2 = await runTool(
      searchEmdTool,
      args(p, {}, [
        "-EMD",
        "--window",
        "7",
        "--neighbours",
        "5",
        "--workers",
        "0",
        "--solver",
        "highs",
        "--queries",
        "2",
      ]),
    );
    assert.equal(code2, 0);
    assert.equal(parseSearchEmdOutput(await Deno.readTextFile(p.out)).solver, "highs");
  } finally {
    await Deno.remove(p.folder, { recursive: true });
  }
});

Deno.test("search_emd bad input: one line naming the file or flag, exit 2, no output", async () => {
  const p = await fixture();
  const cases: [string, string[], RegExp][] = [
    ["missing dataset", args(p, { "-d": join(p.folder, "nope.idx") }, ["-EMD"]), /nope\.idx: file not found/],
    ["labels as images", args(p, { "-d": p.l1 }, ["-EMD"]), /data-labels\.idx: not an image file/],
    ["truncated", args(p, { "-d": p.truncated }, ["-EMD"]), /truncated\.idx: truncated data/],
    ["empty set", args(p, { "-q": p.empty }, ["-EMD"]), /empty\.idx: empty image set/],
    ["label count", args(p, { "-l1": p.short }, ["-EMD"]), /short-labels\.idx: 59 labels for 60 images/],
    ["dimension mismatch", args(p, { "-q": p.small }, ["-EMD"]), /small\.idx: images are 14x14/],
    ["window not dividing", args(p, {}, ["-EMD", "--window", "5"]), /--window: 5 does not divide/],
    ["window zero", args(p, {}, ["-EMD", "--window", "0"]), /--window: 0/],
    ["window negative", args(p, {}, ["-EMD", "--window", "-4"]), /--window/],
    ["neighbours zero", args(p, {}, ["-EMD", "--neighbours", "0"]), /--neighbours: 0/],
    [
      "neighbours too many",
      args(p, {}, ["-EMD", "--neighbours", "61"]),
      /--neighbours: 61 is larger than the dataset/,
    ],
    ["queries too many", args(p, {}, ["-EMD", "--queries", "7"]), /--queries: 7 is more than the 6 images/],
    ["queries zero", args(p, {}, ["-EMD", "--queries", "0"]), /--queries: 0/],
    ["all-zero image", args(p, { "-d": p.zero }, ["-EMD"]), /zero\.idx: image 17 is all zeros/],
    [
      "all-zero query",
      args(p, { "-q": p.zero, "-l2": p.l1 }, ["-EMD", "--queries", "20"]),
      /zero\.idx: image 17 is all zeros/,
    ],
    ["labels missing", args(p, { "-l2": join(p.folder, "none.idx") }, ["-EMD"]), /none\.idx: file not found/],
    ["missing -EMD", args(p), /-EMD: required flag is missing/],
    [
      "output folder",
      args(p, { "-o": join(p.folder, "no", "out.txt") }, ["-EMD"]),
      /-o: cannot write .* \(folder .* does not exist\)/,
    ],
    ["solver", args(p, {}, ["-EMD", "--solver", "cplex"]), /--solver: "cplex" is not one of/],
    ["missing labels flag", args(p, { "-l2": null }, ["-EMD"]), /-l2: required flag is missing/],
  ];
  try {
    for (const [name, argv, pattern] of cases) {
      const { result: code, stderr } = await silenced(() => runTool(searchEmdTool, argv));
      assert.equal(code, 2, `${name}: exit code`);
      const lines = stderr.trim().split("\n");
      assert.equal(lines.length, 1, `${name}: one line, got ${stderr}`);
      assert.match(lines[0], pattern, name);
      assert.deepEqual(Array.from(Deno.readDirSync(join(p.folder, "out"))), [], `${name}: no output`);
    }
  } finally {
    await Deno.remove(p.folder, { recursive: true });
  }
});
