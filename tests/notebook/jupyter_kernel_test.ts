import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { KernelClient } from "../../lib/notebook/jupyter_kernel.ts";

Deno.test({
  name: "a kernel that exits while starting is reported at once, not after the start timeout",
  ignore: !existsSync("/bin/false"),
  async fn() {
    const started = performance.now();
    await assert.rejects(
      () => KernelClient.start({ cwd: Deno.cwd(), denoPath: "/bin/false", startTimeoutMs: 20_000 }),
      /Deno kernel exited while starting \(code 1\)/,
    );
    assert.ok(performance.now() - started < 10_000);
  },
});

Deno.test("a started kernel reports its language and answers; shutdown is idempotent", async () => {
  const kernel = await KernelClient.start({ cwd: Deno.cwd() });
  try {
    assert.equal((kernel.kernelInfo.language_info as { name?: string }).name, "typescript");
    const outcome = await kernel.execute("const x: number = 6 * 7; x");
    assert.equal(outcome.status, "ok");
  } finally {
    await kernel.shutdown();
    await kernel.shutdown();
  }
  assert.equal(kernel.alive, false);
});
