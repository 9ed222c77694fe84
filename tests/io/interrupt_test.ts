import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { removeStaleTemporaries } from "../../lib/io/stale.ts";
import { type ChildRun, interruptDeno, withTempDir } from "../_helpers.ts";

const CHILD = fileURLToPath(new URL("../fixtures/io/interrupt_child.ts", import.meta.url));

async function oldFiles(dir: string): Promise<void> {
  await Deno.writeTextFile(join(dir, "a.txt"), "old a\n");
  await Deno.writeTextFile(join(dir, "b.txt"), "old b\n");
  await Deno.mkdir(join(dir, "model"));
  await Deno.writeTextFile(join(dir, "model", "weights.bin"), "old");
}

function contents(dir: string): Record<string, string> {
  const found: Record<string, string> = {};
  for (const entry of Deno.readDirSync(dir)) {
    const path = join(dir, entry.name);
    found[entry.name] = entry.isDirectory
      ? `dir:${Deno.readTextFileSync(join(path, "weights.bin"))}`
      : Deno.readTextFileSync(path);
  }
  return found;
}

/** Starts the child in `mode`, waits for its line, sends `signal`, returns its exit code and output. */
function interrupt(mode: string, dir: string, signal: Deno.Signal): Promise<ChildRun> {
  return interruptDeno(["run", "-A", CHILD, mode, dir], { when: /staged|holding/, signal });
}

/**
 * In a temporary folder holding the old outputs ({@linkcode oldFiles}), interrupts the child in `mode` with
 * `signal` ({@linkcode interrupt}) and hands its run and the folder to `check`.
 */
function interruptOverOldFiles(
  mode: string,
  signal: Deno.Signal,
  check: (run: ChildRun, dir: string) => void | Promise<void>,
): Promise<void> {
  return withTempDir(async (dir) => {
    await oldFiles(dir);
    await check(await interrupt(mode, dir, signal), dir);
  });
}

const OLD = { "a.txt": "old a\n", "b.txt": "old b\n", model: "dir:old" };

Deno.test({
  name: "interrupt: SIGINT while outputs are staged exits 130, old files intact, temporaries removed",
  ignore: Deno.build.os === "windows",
  async fn() {
    await interruptOverOldFiles("staged", "SIGINT", (run, dir) => {
      assert.equal(run.code, 130, run.stderr);
      assert.match(run.stderr, /^child: interrupted \(SIGINT\); the previous outputs are unchanged\n$/);
      assert.deepEqual(contents(dir), OLD);
    });
  },
});

Deno.test({
  name: "interrupt: a Ctrl-C during a computation that starves the event loop is handled before the commit",
  ignore: Deno.build.os === "windows",
  async fn() {
    await interruptOverOldFiles("busy", "SIGINT", (run, dir) => {
      assert.equal(run.code, 130, run.stderr);
      assert.doesNotMatch(run.stdout, /committed/);
      assert.match(run.stderr, /the previous outputs are unchanged/);
      assert.deepEqual(contents(dir), OLD);
    });
  },
});

Deno.test({
  name: "interrupt: SIGTERM exits 143; interrupt hooks run before the temporaries go",
  ignore: Deno.build.os === "windows",
  async fn() {
    await interruptOverOldFiles("hook", "SIGTERM", (run, dir) => {
      assert.equal(run.code, 143, run.stderr);
      assert.deepEqual(contents(dir), { ...OLD, "hook.txt": "ran" });
    });
  },
});

Deno.test({
  name: "interrupt: a signal during the rename phase is held: every output is replaced, then exit 130",
  ignore: Deno.build.os === "windows",
  async fn() {
    await interruptOverOldFiles("holding", "SIGINT", (run, dir) => {
      assert.equal(run.code, 130, run.stderr);
      assert.doesNotMatch(run.stdout, /committed/, "the process stopped right after the commit");
      assert.match(run.stderr, /interrupted \(SIGINT\) while the outputs were replaced; they are complete/);
      assert.deepEqual(contents(dir), { "a.txt": "new a\n", "b.txt": "new b\n", model: "dir:new" });
    });
  },
});

Deno.test({
  name: "interrupt: SIGKILL leaves temporaries that the next run recognises and removes",
  ignore: Deno.build.os === "windows",
  async fn() {
    await interruptOverOldFiles("staged", "SIGKILL", async (run, dir) => {
      assert.equal(run.code, 137);
      const left = Object.keys(contents(dir)).filter((name) => name.includes(".latentlab-"));
      assert.equal(left.length, 3, `the killed run left its temporaries: ${left}`);
      const removed = await removeStaleTemporaries(dir);
      assert.deepEqual(removed.sort(), left.sort());
      assert.deepEqual(contents(dir), OLD);
    });
  },
});
