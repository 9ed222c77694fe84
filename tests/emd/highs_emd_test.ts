import assert from "node:assert/strict";
import { createHighsEmdSolver, type Highs, modelStatusName } from "../../lib/emd/highs_emd.ts";
import { loadHighs } from "../../lib/emd/_highs.ts";
import { windowGrid } from "../../lib/emd/signature.ts";

const problem = (supply: number[], demand: number[], cost: number[]) => ({
  supply: Float64Array.from(supply),
  demand: Float64Array.from(demand),
  cost: Float64Array.from(cost),
});

Deno.test("HiGHS EMD equals hand-computed values on 1-3 bin problems", async () => {
  const solver = await createHighsEmdSolver();
  // One bin each: all mass moves distance 5.
  assert.equal((await solver.solveProblem(problem([1], [1], [5]))).cost, 5);
  // Same two bins, same weights: nothing moves.
  assert.equal((await solver.solveProblem(problem([0.5, 0.5], [0.5, 0.5], [0, 3, 3, 0]))).cost, 0);
  // 0.3 of the mass must move across distance 3.
  const moved = await solver.solveProblem(problem([0.8, 0.2], [0.5, 0.5], [0, 3, 3, 0]));
  assert.ok(Math.abs(moved.cost - 0.9) < 1e-12);
  assert.deepEqual(Array.from(moved.from), [0, 0, 1]);
  assert.deepEqual(Array.from(moved.to), [0, 1, 1]);
  // Three points on a line at 0, 1, 2 -> one point at 1: 0.25*1 + 0.5*0 + 0.25*1 = 0.5.
  assert.ok(
    Math.abs((await solver.solveProblem(problem([0.25, 0.5, 0.25], [1], [1, 0, 1]))).cost - 0.5) < 1e-12,
  );
  // Three to three with a cheaper detour: shift everything one step right (cost 1) vs ...
  // a = (1/3, 1/3, 1/3) at 0,1,2; b = (1/3, 1/3, 1/3) at 1,2,3: EMD = 1.
  const line = [1, 2, 3, 0, 1, 2, 1, 0, 1];
  assert.ok(
    Math.abs(
      (await solver.solveProblem(problem([1 / 3, 1 / 3, 1 / 3], [1 / 3, 1 / 3, 1 / 3], line))).cost - 1,
    ) < 1e-12,
  );
});

Deno.test("HiGHS EMD on signatures: two windows apart", async () => {
  const grid = windowGrid(28, 28, 14);
  const solver = await createHighsEmdSolver();
  const a = { grid, bins: new Uint16Array([0]), mass: new Float64Array([100]), total: 100 };
  const b = { grid, bins: new Uint16Array([0, 3]), mass: new Float64Array([50, 50]), total: 100 };
  // Half the mass moves from window (0,0) to window (1,1): 14*sqrt(2) pixels.
  assert.ok(Math.abs((await solver.solve(a, b)).cost - 7 * Math.SQRT2) < 1e-12);
});

Deno.test("HiGHS status is checked: an infeasible (unbalanced) problem throws with its status", async () => {
  const solver = await createHighsEmdSolver();
  await assert.rejects(() => solver.solveProblem(problem([1], [0.5], [1])), /model status Infeasible/);
  assert.equal(modelStatusName(7), "Optimal");
  // The solver still works afterwards.
  assert.equal((await solver.solveProblem(problem([1], [1], [2]))).cost, 2);
});

Deno.test("2,000 consecutive HiGHS solves keep the WebAssembly heap flat", async () => {
  const solver = await createHighsEmdSolver();
  const p = problem([0.2, 0.3, 0.5], [0.6, 0.4], [1, 2, 3, 1, 2, 2]);
  for (let i = 0; i < 200; i++) await solver.solveProblem(p);
  const before = solver.memoryBytes;
  for (let i = 0; i < 2000; i++) await solver.solveProblem(p);
  assert.equal(solver.memoryBytes, before);
  assert.equal(solver.solved, 2200);
  assert.equal(solver.restarts, 0);
});

Deno.test("after a native abort the solver loads a fresh HiGHS instance", async () => {
  let loads = 0;
  const load = async (): Promise<Highs> => {
    const highs = await loadHighs();
    loads++;
    if (loads > 1) return highs;
    // The first instance aborts on its first solve, like a WebAssembly trap inside HiGHS.
    const raw = {
      ...highs.raw,
      lpCall: () => {
        throw new WebAssembly.RuntimeError("Aborted(simulated)");
      },
    };
    return { ...highs, raw } as Highs;
  };
  const solver = await createHighsEmdSolver({ load });
  await assert.rejects(() => solver.solveProblem(problem([1], [1], [5])), /aborted \(Aborted\(simulated\)\)/);
  assert.equal((await solver.solveProblem(problem([1], [1], [5]))).cost, 5);
  assert.equal(solver.restarts, 1);
  assert.equal(loads, 2);
});
