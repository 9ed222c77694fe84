import assert from "node:assert/strict";
import { join } from "node:path";
import { writeFileAtomic } from "../../lib/io/atomic.ts";
import { trackedTemporaries } from "../../lib/io/interrupt.ts";
import { withTempDir } from "../_helpers.ts";

Deno.test("writeFileAtomic: replaces the file; on failure leaves nothing behind", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "out.txt");
    await writeFileAtomic(path, "one");
    await writeFileAtomic(path, new TextEncoder().encode("two"));
    assert.equal(await Deno.readTextFile(path), "two");
    await Deno.mkdir(join(dir, "folder"));
    await Deno.writeTextFile(join(dir, "folder", "x"), "x");
    await assert.rejects(writeFileAtomic(join(dir, "folder"), "three"));
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name).sort(), ["folder", "out.txt"]);
    assert.deepEqual(trackedTemporaries(), []);
  });
});
