import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { PROJECT_ROOT } from "../../lib/util/project_root.ts";

Deno.test("PROJECT_ROOT is the repository root (deno.json and lib/mod.ts are there)", () => {
  assert.ok(existsSync(join(PROJECT_ROOT, "deno.json")));
  assert.ok(existsSync(join(PROJECT_ROOT, "lib", "mod.ts")));
});
