import assert from "node:assert/strict";
import { compileKernels, KERNEL_MODULE, renderKernelModule } from "../../lib/simd/build.ts";

Deno.test("the committed wasm module matches a fresh build of lib/simd/asm/l1.ts", async () => {
  const fresh = renderKernelModule(await compileKernels());
  assert.equal(await Deno.readTextFile(KERNEL_MODULE), fresh);
});
