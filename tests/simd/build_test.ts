import assert from "node:assert/strict";
import { join } from "node:path";
import { compileWasm, renderWasmModule, WASM_MODULES } from "../../lib/simd/build.ts";
import { PROJECT_ROOT } from "../../lib/util/project_root.ts";

for (const spec of WASM_MODULES) {
  Deno.test(`the committed ${spec.output} matches a fresh build of ${spec.source}`, async () => {
    const fresh = renderWasmModule(spec, await compileWasm(spec));
    assert.equal(await Deno.readTextFile(join(PROJECT_ROOT, spec.output)), fresh);
  });
}

Deno.test("every WebAssembly module's source and output are where the pipeline says", () => {
  for (const spec of WASM_MODULES) {
    assert.ok(Deno.statSync(join(PROJECT_ROOT, spec.source)).isFile, spec.source);
    assert.match(spec.output, /\/_[a-z0-9]+_wasm\.ts$/, "a private generated module");
  }
  assert.equal(new Set(WASM_MODULES.map((spec) => spec.output)).size, WASM_MODULES.length);
});
