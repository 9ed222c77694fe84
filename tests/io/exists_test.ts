import assert from "node:assert/strict";
import { join } from "node:path";
import { pathExists } from "../../lib/io/exists.ts";
import { withTempDir } from "../_helpers.ts";

Deno.test("pathExists: files, folders and links (also dangling ones) exist, missing names do not", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(join(dir, "file"), "x");
    await Deno.symlink(join(dir, "missing"), join(dir, "dangling"));
    assert.equal(await pathExists(join(dir, "file")), true);
    assert.equal(await pathExists(dir), true);
    assert.equal(await pathExists(join(dir, "dangling")), true);
    assert.equal(await pathExists(join(dir, "missing")), false);
  });
});
