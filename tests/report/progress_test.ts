import assert from "node:assert/strict";
import { createProgress } from "../../lib/report/progress.ts";
import { display, inJupyter } from "../../lib/report/display.ts";

function captureConsole(): { lines: string[]; restore: () => void } {
  const lines: string[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => lines.push(args.join(" "));
  return { lines, restore: () => console.log = original };
}

Deno.test("outside Jupyter, progress prints throttled lines and a final one", async () => {
  assert.equal(inJupyter(), false);
  const capture = captureConsole();
  try {
    const progress = createProgress("work", { total: 4, consoleIntervalMs: 60_000 });
    for (let i = 1; i <= 4; i++) await progress.update(i, `step ${i}`);
    await progress.finish("all good");
  } finally {
    capture.restore();
  }
  assert.equal(capture.lines.length, 2);
  assert.match(capture.lines[0], /^work: \[#####\.{15}\] 1\/4 \(25 %\)/);
  assert.match(capture.lines[1], /^work: \[#{20}\] 4\/4 \(100 %\), done in .* — all good$/);
});

Deno.test("outside Jupyter, display prints text/plain", async () => {
  const capture = captureConsole();
  try {
    await display({ "text/plain": "hello", "text/html": "<b>hello</b>" });
    await display({ "image/png": "AAAA" });
  } finally {
    capture.restore();
  }
  assert.deepEqual(capture.lines, ["hello", "[image/png]"]);
});
