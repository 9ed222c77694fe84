import assert from "node:assert/strict";
import { join } from "node:path";
import { createSnapshot, releaseSnapshot, restoreSnapshot } from "../../lib/io/snapshot.ts";
import { removeStaleTemporaries } from "../../lib/io/stale.ts";
import { withTempDir } from "../_helpers.ts";

async function tree(dir: string): Promise<Record<string, string>> {
  const found: Record<string, string> = {};
  const walk = async (folder: string, prefix: string) => {
    for await (const entry of Deno.readDir(folder)) {
      if (entry.name.startsWith(".")) continue; // the snapshot itself
      const rel = prefix + entry.name;
      if (entry.isDirectory) await walk(join(folder, entry.name), rel + "/");
      else found[rel] = await Deno.readTextFile(join(folder, entry.name));
    }
  };
  await walk(dir, "");
  return Object.fromEntries(Object.entries(found).sort());
}

async function results(dir: string): Promise<void> {
  await Deno.mkdir(join(dir, "latent"));
  await Deno.writeTextFile(join(dir, "latent", "d10.idx"), "old latent");
  await Deno.writeTextFile(join(dir, "A_table.csv"), "old table");
  await Deno.writeTextFile(join(dir, "A.ipynb"), "executed notebook");
}

/** What a notebook run does to the folder: rewrite a file in place, add files and folders. */
async function changeLikeANotebook(dir: string): Promise<void> {
  const file = await Deno.open(join(dir, "A_table.csv"), { write: true, truncate: true });
  await file.write(new TextEncoder().encode("half"));
  file.close();
  await Deno.writeTextFile(join(dir, "latent", "d20.idx"), "new latent");
  await Deno.mkdir(join(dir, "classes"));
  await Deno.writeTextFile(join(dir, "classes", "c.txt"), "new classes");
}

Deno.test("snapshot: restore undoes in-place rewrites and removes what the run added; excluded files stay", async () => {
  await withTempDir(async (dir) => {
    await results(dir);
    const before = await tree(dir);
    const snapshot = await createSnapshot(dir, { exclude: ["A.ipynb"] });
    await changeLikeANotebook(dir);
    await Deno.writeTextFile(join(dir, "A.ipynb"), "committed by the caller");
    await restoreSnapshot(snapshot);
    assert.deepEqual(await tree(dir), { ...before, "A.ipynb": "committed by the caller" });
    assert.deepEqual([...Deno.readDirSync(dir)].filter((e) => e.name.startsWith(".")), []);
  });
});

Deno.test("snapshot: release keeps the run's changes", async () => {
  await withTempDir(async (dir) => {
    await results(dir);
    const snapshot = await createSnapshot(dir);
    await changeLikeANotebook(dir);
    const after = await tree(dir);
    await releaseSnapshot(snapshot);
    assert.deepEqual(await tree(dir), after);
  });
});

Deno.test("snapshot: a killed run's snapshot is restored by the next run (stale cleanup)", async () => {
  await withTempDir(async (dir) => {
    await results(dir);
    const before = await tree(dir);
    const snapshot = await createSnapshot(dir);
    await changeLikeANotebook(dir);
    // Pretend its writer was killed: give the snapshot a dead process id.
    const child = new Deno.Command("true").spawn();
    await child.status;
    const stale = snapshot.dir.replace(`latentlab-${Deno.pid}-`, `latentlab-${child.pid}-`);
    await Deno.rename(snapshot.dir, stale);
    assert.equal((await removeStaleTemporaries(dir)).length, 1);
    assert.deepEqual(await tree(dir), before);
  });
});
