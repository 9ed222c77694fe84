import assert from "node:assert/strict";
import { join } from "node:path";
import { OutputSet } from "../../lib/io/commit.ts";
import { trackedTemporaries } from "../../lib/io/interrupt.ts";
import { withTempDir } from "../_helpers.ts";

function names(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((entry) => entry.name).sort();
}

Deno.test("OutputSet: nothing changes before the commit; then files and folders are replaced together", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(join(dir, "a.txt"), "old a");
    await Deno.mkdir(join(dir, "model"));
    await Deno.writeTextFile(join(dir, "model", "old.bin"), "old");
    await Deno.writeTextFile(join(dir, "gone.txt"), "stale");
    const outputs = new OutputSet();
    await outputs.addFile(join(dir, "a.txt"), "new a");
    await outputs.addFile(join(dir, "b.txt"), new Uint8Array([1, 2, 3]));
    await outputs.addFolder(
      join(dir, "model"),
      (folder) => Deno.writeTextFile(join(folder, "new.bin"), "new"),
    );
    outputs.addRemoval(join(dir, "gone.txt"));
    assert.equal(await Deno.readTextFile(join(dir, "a.txt")), "old a", "untouched until the commit");
    assert.equal(trackedTemporaries().length, 3, "the temporaries are known to the interrupt guard");
    await outputs.commit();
    assert.deepEqual(names(dir), ["a.txt", "b.txt", "model"]);
    assert.equal(await Deno.readTextFile(join(dir, "a.txt")), "new a");
    assert.deepEqual(await Deno.readFile(join(dir, "b.txt")), new Uint8Array([1, 2, 3]));
    assert.deepEqual(names(join(dir, "model")), ["new.bin"]);
    assert.deepEqual(trackedTemporaries(), []);
    await outputs.discard(); // no-op after a commit
    assert.deepEqual(names(dir), ["a.txt", "b.txt", "model"]);
  });
});

Deno.test("OutputSet: a failing write or a discard leaves the old files and no temporaries", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(join(dir, "a.txt"), "old a");
    const outputs = new OutputSet();
    await outputs.addFile(join(dir, "a.txt"), "new a");
    await assert.rejects(outputs.addFile(join(dir, "missing", "b.txt"), "new b"));
    await outputs.discard();
    assert.deepEqual(names(dir), ["a.txt"]);
    assert.equal(await Deno.readTextFile(join(dir, "a.txt")), "old a");
    assert.throws(() => outputs.addRemoval(join(dir, "a.txt")), /already committed or discarded/);
  });
});

Deno.test("OutputSet: when a rename fails, the targets already replaced are put back", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(join(dir, "a.txt"), "old a");
    await Deno.mkdir(join(dir, "model"));
    await Deno.writeTextFile(join(dir, "model", "w.bin"), "old");
    const outputs = new OutputSet();
    await outputs.addFile(join(dir, "a.txt"), "new a");
    await outputs.addFolder(join(dir, "model"), (folder) => Deno.writeTextFile(join(folder, "w.bin"), "new"));
    // The third target is a non-empty folder: renaming a file onto it fails during the commit.
    await Deno.mkdir(join(dir, "c.txt"));
    await Deno.writeTextFile(join(dir, "c.txt", "keep"), "user data");
    await outputs.addFile(join(dir, "c.txt"), "new c");
    await assert.rejects(outputs.commit());
    assert.equal(await Deno.readTextFile(join(dir, "a.txt")), "old a");
    assert.equal(await Deno.readTextFile(join(dir, "model", "w.bin")), "old");
    assert.equal(await Deno.readTextFile(join(dir, "c.txt", "keep")), "user data");
    assert.deepEqual(names(dir), ["a.txt", "c.txt", "model"]);
  });
});
