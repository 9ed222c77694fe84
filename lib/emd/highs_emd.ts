/**
 * The reference EMD: the transportation problem written as a linear program and solved by HiGHS
 * (npm `highs`, WebAssembly), through its array API (no LP text to build or parse).
 *
 * Variables `f[i*m + j] >= 0` (flow from bin `i` of `a` to bin `j` of `b`), objective
 * `sum c[i*m+j] * f[i*m+j]`, constraints `sum_j f[i*m+j] = a_i` and `sum_i f[i*m+j] = b_j`.
 * Every solve checks the call status and the model status (`Optimal`); anything else throws. After a
 * native abort (a thrown `RuntimeError`) the instance is discarded and a fresh one is loaded.
 * @module
 */
import { type Highs, loadHighs, type ModelData } from "./_highs.ts";

export type { Highs } from "./_highs.ts";
import { groundDistanceMatrix } from "./ground.ts";
import { type Signature, weightsOf } from "./signature.ts";

/** A balanced transportation problem: supplies, demands and an `n x m` row-major cost matrix. */
export interface TransportProblem {
  /** Supply of each source (length n). */
  supply: Float64Array;
  /** Demand of each sink (length m); sums to the same total as `supply`. */
  demand: Float64Array;
  /** Cost per unit from source i to sink j at `i * m + j`. */
  cost: Float64Array;
}

/** The optimal transport: its cost and the non-zero flows. */
export interface EmdSolution {
  /** Optimal cost (for mass-1 signatures: the EMD, in pixels). */
  cost: number;
  /** Source index of each non-zero flow. */
  from: Int32Array;
  /** Sink index of each non-zero flow. */
  to: Int32Array;
  /** Amount of each non-zero flow (in weight units: fractions of the mass). */
  amount: Float64Array;
}

/** Human-readable names of HiGHS model status codes. */
const MODEL_STATUS_NAMES: Record<number, string> = {
  0: "NotSet",
  1: "LoadError",
  2: "ModelError",
  3: "PresolveError",
  4: "SolveError",
  5: "PostsolveError",
  6: "Empty",
  7: "Optimal",
  8: "Infeasible",
  9: "UnboundedOrInfeasible",
  10: "Unbounded",
  11: "ObjectiveBound",
  12: "ObjectiveTarget",
  13: "TimeLimit",
  14: "IterationLimit",
  15: "Unknown",
  16: "SolutionLimit",
  17: "Interrupted",
};

/** The name of a HiGHS model status code (`7` is `"Optimal"`). */
export function modelStatusName(code: number): string {
  return MODEL_STATUS_NAMES[code] ?? `status ${code}`;
}

/** The transportation problem between two signatures (weights = mass / total, Euclidean ground distance). */
export function transportProblemOf(a: Signature, b: Signature, table?: Float64Array): TransportProblem {
  return { supply: weightsOf(a), demand: weightsOf(b), cost: groundDistanceMatrix(a, b, { table }) };
}

/** The HiGHS model (array form) of a transportation problem. */
export function emdLinearProgram(problem: TransportProblem, infinity: number): ModelData {
  const n = problem.supply.length;
  const m = problem.demand.length;
  const columns = n * m;
  if (problem.cost.length !== columns) {
    throw new Error(`emdLinearProgram: cost has ${problem.cost.length} entries, expected ${n}x${m}`);
  }
  const starts = new Int32Array(columns + 1);
  const indices = new Int32Array(2 * columns);
  const values = new Float64Array(2 * columns).fill(1);
  for (let i = 0, k = 0; i < n; i++) {
    for (let j = 0; j < m; j++, k++) {
      starts[k] = 2 * k;
      indices[2 * k] = i;
      indices[2 * k + 1] = n + j;
    }
  }
  starts[columns] = 2 * columns;
  const rows = new Float64Array(n + m);
  rows.set(problem.supply, 0);
  rows.set(problem.demand, n);
  return {
    numCols: columns,
    numRows: n + m,
    colCost: problem.cost,
    colLower: new Float64Array(columns),
    colUpper: new Float64Array(columns).fill(infinity),
    rowLower: rows,
    rowUpper: rows,
    matrix: { format: "csc", numRows: n + m, numCols: columns, starts, indices, values },
  };
}

/** Solves EMD linear programs with HiGHS; see {@linkcode createHighsEmdSolver}. */
export interface HighsEmdSolver {
  /** Solves the transportation problem; throws unless HiGHS reports `Optimal`. */
  solveProblem(problem: TransportProblem): Promise<EmdSolution>;
  /** The EMD between two signatures (same grid), with its optimal flow. */
  solve(a: Signature, b: Signature): Promise<EmdSolution>;
  /** Number of linear programs solved so far. */
  readonly solved: number;
  /** How many times a fresh HiGHS instance was loaded after a native abort. */
  readonly restarts: number;
  /** Current WebAssembly memory of the HiGHS instance, in bytes (to check that it stays flat). */
  readonly memoryBytes: number;
}

/** Options for {@linkcode createHighsEmdSolver}. */
export interface HighsEmdSolverOptions {
  /** Ground-distance table for signatures (see `offsetDistanceTable`); computed per call when absent. */
  table?: Float64Array;
  /** Loads a HiGHS instance (default: the npm package); called again for a fresh instance after an abort. */
  load?: () => Promise<Highs>;
}

/** Creates a HiGHS-backed EMD solver (loads one HiGHS WebAssembly instance). */
export async function createHighsEmdSolver(options: HighsEmdSolverOptions = {}): Promise<HighsEmdSolver> {
  const load = options.load ?? loadHighs;
  let highs: Highs | undefined = await load();
  let solved = 0;
  let restarts = 0;

  async function solveProblem(problem: TransportProblem): Promise<EmdSolution> {
    if (!highs) {
      highs = await load();
      restarts++;
    }
    const n = problem.supply.length;
    const m = problem.demand.length;
    if (n === 0 || m === 0) throw new Error("HiGHS EMD: empty signature (no mass)");
    const model = emdLinearProgram(problem, highs.infinity);
    let result;
    try {
      result = highs.raw.lpCall(model);
    } catch (error) {
      highs = undefined; // a native abort leaves the instance unusable: load a fresh one next time
      throw new Error(
        `HiGHS EMD: solver aborted (${(error as Error).message}); a fresh instance will be used`,
      );
    }
    if (result.status === highs.constants.status.error) {
      throw new Error(`HiGHS EMD: lpCall returned an error status for a ${n}x${m} transport problem`);
    }
    const status = result.value.modelStatus;
    if (status !== highs.constants.modelStatus.optimal) {
      throw new Error(`HiGHS EMD: model status ${modelStatusName(status)} (expected Optimal) for ${n}x${m}`);
    }
    solved++;
    const flow = result.value.solution.colValue;
    let cost = 0;
    let nonZero = 0;
    for (let k = 0; k < flow.length; k++) {
      if (flow[k] > 0) {
        cost += flow[k] * problem.cost[k];
        nonZero++;
      }
    }
    const from = new Int32Array(nonZero);
    const to = new Int32Array(nonZero);
    const amount = new Float64Array(nonZero);
    for (let k = 0, t = 0; k < flow.length; k++) {
      if (flow[k] > 0) {
        from[t] = Math.floor(k / m);
        to[t] = k % m;
        amount[t++] = flow[k];
      }
    }
    return { cost, from, to, amount };
  }

  return {
    solveProblem,
    solve(a, b) {
      return solveProblem(transportProblemOf(a, b, options.table));
    },
    get solved() {
      return solved;
    },
    get restarts() {
      return restarts;
    },
    get memoryBytes() {
      return highs?.memoryBytes ?? 0;
    },
  };
}
