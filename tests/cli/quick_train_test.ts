import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const MAIN = fileURLToPath(new URL("../../lib/cli/quick_train.ts", import.meta.url));

Deno.test({
  name: "quick-train: trains, and Ctrl-C stops after the current batch with a report and exit 0",
  ignore: Deno.build.os === "windows",
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const child = new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", MAIN, "--limit", "300", "--epochs", "200", "--progress", "--save", `${dir}/m`],
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const stdout = new Response(child.stdout).text();
      let stderr = "";
      const decoder = new TextDecoder();
      for await (const chunk of child.stderr) {
        stderr += decoder.decode(chunk, { stream: true });
        if (/epoch 3\/200/.test(stderr)) break;
      }
      child.kill("SIGINT");
      const status = await child.status;
      const out = await stdout;
      assert.equal(status.code, 0, stderr + out);
      assert.match(out, /validation MSE [\d.]+ \(best epoch \d+ of \d+, interrupted\)/);
      assert.match(out, /training throughput \d+ images\/s/);
      assert.match(out, /saved .*\/m/);
      const metadata = JSON.parse(await Deno.readTextFile(`${dir}/m/metadata.json`));
      assert.ok(metadata.metrics.valLoss > 0 && metadata.metrics.valLoss < 0.2);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
