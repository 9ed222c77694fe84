import assert from "node:assert/strict";
import { join } from "node:path";
import {
  assignmentFromClasses,
  classesFromAssignment,
  formatClassesFile,
  parseClassesFile,
  readClassesFile,
  writeClassesFile,
} from "../../lib/data/classes_file.ts";
import { InputError } from "../../lib/errors.ts";
import { fuzzParser } from "../_fuzz.ts";
import { withTempDir } from "../_helpers.ts";

Deno.test("classes file: write then read gives back the same assignment", async () => {
  const assignment = [2, 0, 1, 2, 2, 0, 1, 1, 0, 2];
  await withTempDir(async (dir) => {
    const path = join(dir, "classes.txt");
    await writeClassesFile(path, classesFromAssignment(assignment, 4));
    const text = await Deno.readTextFile(path);
    assert.equal(text.split("\n")[0], "CLUSTER-0 { size: 3, 1, 5, 8}");
    assert.equal(text.split("\n")[3], "CLUSTER-3 { size: 0}");
    const back = await readClassesFile(path, { expectedCount: 10 });
    assert.deepEqual(Array.from(assignmentFromClasses(back)), assignment);
    assert.deepEqual(back.classIds, [0, 1, 2, 3]);
    assert.equal(back.count, 10);
    assert.deepEqual(Array.from(Deno.readDirSync(dir)).map((e) => e.name), ["classes.txt"]);
  });
});

Deno.test("classes file: accepts the original tool's spacing variants", () => {
  const parsed = parseClassesFile("CLUSTER-1 {size: 2, 0, 2,}\n\nCLUSTER-0 { size: 1, 1 }\n", "x");
  assert.deepEqual(parsed.classIds, [1, 0]);
  assert.deepEqual(Array.from(assignmentFromClasses(parsed)), [1, 0, 1]);
  assert.equal(formatClassesFile(parsed), "CLUSTER-1 { size: 2, 0, 2}\nCLUSTER-0 { size: 1, 1}\n");
});

function rejects(text: string, pattern: RegExp, expectedCount?: number): void {
  assert.throws(() => parseClassesFile(text, "bad.txt", { expectedCount }), (error: unknown) => {
    assert.ok(error instanceof InputError, String(error));
    assert.match(error.message, /^bad\.txt/);
    assert.match(error.message, pattern);
    return true;
  });
}

Deno.test("classes file: rejects out-of-range, duplicated and missing indices naming the file", () => {
  rejects("CLUSTER-0 { size: 2, 0, 5}\n", /index 5 .* out of range/, 3);
  rejects("CLUSTER-0 { size: 2, 0, 1}\nCLUSTER-1 { size: 1, 1}\n", /index 1 appears twice/);
  rejects("CLUSTER-0 { size: 2, 0, 2}\n", /1 of 3 image indices are in no class \(first missing: 1\)/, 3);
  rejects("CLUSTER-0 { size: 2, 0, 3}\n", /out of range/);
  rejects("CLUSTER-0 { size: 3, 0, 1}\n", /declares size 3 but lists 2/);
  rejects("CLUSTER-0 { size: 1, 0}\nCLUSTER-0 { size: 1, 1}\n", /appears twice/);
  rejects("CLUSTER-0 size: 1, 0\n", /bad\.txt:1: expected/);
  rejects("\n\n", /empty classes file/);
});

Deno.test("classes file: missing file is an InputError", async () => {
  await assert.rejects(readClassesFile("/nonexistent/classes.txt"), InputError);
});

Deno.test("fuzz: 1,000 mutated classes files give only InputErrors", async () => {
  const text = formatClassesFile(classesFromAssignment(Array.from({ length: 30 }, (_, i) => (i * 7) % 4)));
  const variants = [
    text,
    text.replace(/\{ size/g, "{size").replace(/\n/g, "\r\n"),
    "CLUSTER-3 { size: 2, 0, 1,}\n",
  ];
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const stats = await fuzzParser("classes file", {
    inputs: variants.map((v) => new TextEncoder().encode(v)),
    text: true,
    salt: 4,
    parse(bytes) {
      let source: string;
      try {
        source = decoder.decode(bytes);
      } catch {
        return; // readClassesFile refuses invalid UTF-8 before parsing
      }
      const classes = parseClassesFile(source, "classes.txt", {
        expectedCount: bytes.length % 2 ? 30 : undefined,
      });
      assert.ok(classes.classIds.every((id) => Number.isSafeInteger(id) && id >= 0));
    },
  });
  assert.equal(stats.runs, 1000);
  assert.ok(stats.refused > 300 && stats.accepted > 0, JSON.stringify(stats));
});

Deno.test("classes file: huge class ids and sizes are refused as written, not as 1e+23", () => {
  assert.throws(
    () => parseClassesFile("CLUSTER-99999999999999999999999 { size: 1, 0}\n", "c.txt"),
    (e) =>
      e instanceof InputError && /c\.txt:1: class id 99999999999999999999999 is too large/.test(e.message),
  );
  assert.throws(
    () => parseClassesFile("CLUSTER-1 { size: 99999999999999999999999, 0}\n", "c.txt"),
    (e) => e instanceof InputError && /declares size 99999999999999999999999 but lists 1/.test(e.message),
  );
  assert.throws(
    () => parseClassesFile("CLUSTER-1 { size: 1, 99999999999999999999999}\n", "c.txt"),
    (e) =>
      e instanceof InputError && /index 99999999999999999999999 in CLUSTER-1 is out of range/.test(e.message),
  );
});
