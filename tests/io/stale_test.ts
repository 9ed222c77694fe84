import assert from "node:assert/strict";
import { join } from "node:path";
import { removeStaleTemporaries } from "../../lib/io/stale.ts";
import { withTempDir } from "../_helpers.ts";

/** A process id that is not running (a finished child's). */
async function deadPid(): Promise<number> {
  const child = new Deno.Command("true").spawn();
  await child.status;
  return child.pid;
}

Deno.test("removeStaleTemporaries: a dead writer's tmp and probe go, an old target comes back, live ones stay", async () => {
  await withTempDir(async (dir) => {
    const dead = await deadPid();
    await Deno.writeTextFile(join(dir, "a.txt"), "current a");
    await Deno.writeTextFile(join(dir, `.a.txt.latentlab-${dead}-1.tmp`), "half");
    await Deno.mkdir(join(dir, `.model.latentlab-${dead}-2.tmp`));
    await Deno.writeTextFile(join(dir, `.write.latentlab-${dead}-3.probe`), "");
    // Killed between moving the old model aside and renaming the new one into place.
    await Deno.mkdir(join(dir, `.model.latentlab-${dead}-4.old`));
    await Deno.writeTextFile(join(dir, `.model.latentlab-${dead}-4.old`, "w.bin"), "old model");
    // Moved aside while the new one is already in place: the old copy goes.
    await Deno.writeTextFile(join(dir, `.a.txt.latentlab-${dead}-5.old`), "old a");
    // This process's own temporaries are live.
    await Deno.writeTextFile(join(dir, `.b.txt.latentlab-${Deno.pid}-1.tmp`), "mine");
    // The earlier naming scheme: removed only for known targets.
    await Deno.writeTextFile(join(dir, `.out.txt.${dead}.1.tmp`), "legacy");
    await Deno.writeTextFile(join(dir, `.notes.${dead}.1.tmp`), "not ours to judge");
    const removed = await removeStaleTemporaries(dir, { legacyTargets: ["out.txt"] });
    assert.equal(removed.length, 6);
    const left = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    assert.deepEqual(left, [`.b.txt.latentlab-${Deno.pid}-1.tmp`, `.notes.${dead}.1.tmp`, "a.txt", "model"]);
    assert.equal(await Deno.readTextFile(join(dir, "a.txt")), "current a");
    assert.equal(await Deno.readTextFile(join(dir, "model", "w.bin")), "old model");
    assert.deepEqual(await removeStaleTemporaries(join(dir, "no-such-folder")), []);
  });
});
