import assert from "node:assert/strict";
import { checkSchedule, learningRateAt, type LearningRateSchedule } from "../../lib/nn/schedule.ts";

const at = (epoch: number, step: number) => ({ epoch, step, stepsPerEpoch: 10, epochs: 4 });

Deno.test("constant schedule: the peak, times decay per epoch", () => {
  const s: LearningRateSchedule = { kind: "constant", peak: 0.01 };
  assert.equal(learningRateAt(s, at(0, 0)), 0.01);
  assert.equal(learningRateAt(s, at(3, 9)), 0.01);
  const decayed: LearningRateSchedule = { kind: "constant", peak: 0.01, decay: 0.5 };
  assert.equal(learningRateAt(decayed, at(0, 5)), 0.01);
  assert.equal(learningRateAt(decayed, at(2, 0)), 0.0025);
});

Deno.test("cosine schedule: linear warm-up from peak/10, peak, then down to the final factor at the last step", () => {
  const s: LearningRateSchedule = { kind: "cosine", peak: 0.01, warmupEpochs: 1, finalFactor: 0.01 };
  assert.ok(Math.abs(learningRateAt(s, at(0, 0)) - 0.001) < 1e-12);
  assert.ok(Math.abs(learningRateAt(s, at(0, 5)) - 0.0055) < 1e-12);
  assert.ok(Math.abs(learningRateAt(s, at(1, 0)) - 0.01) < 1e-12);
  assert.ok(Math.abs(learningRateAt(s, at(3, 9)) - 0.0001) < 1e-12);
  let previous = Infinity;
  for (let epoch = 1; epoch < 4; epoch++) {
    for (let step = 0; step < 10; step++) {
      const rate = learningRateAt(s, at(epoch, step));
      assert.ok(rate <= previous, `not decreasing at ${epoch}/${step}`);
      previous = rate;
    }
  }
  // Without warm-up the first step runs at the peak.
  assert.equal(learningRateAt({ kind: "cosine", peak: 0.01, warmupEpochs: 0 }, at(0, 0)), 0.01);
});

Deno.test("checkSchedule names the bad field", () => {
  assert.throws(() => checkSchedule({ kind: "steps" as never, peak: 1 }), /schedule/);
  assert.throws(() => checkSchedule({ kind: "constant", peak: 0 }), /learning rate/);
  assert.throws(() => checkSchedule({ kind: "constant", peak: 1, decay: 1.5 }), /decay/);
  assert.throws(() => checkSchedule({ kind: "cosine", peak: 1, warmupEpochs: -1 }), /warm-up/);
  assert.throws(() => checkSchedule({ kind: "cosine", peak: 1, finalFactor: 2 }), /final/);
});
