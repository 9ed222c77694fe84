/**
 * The fast exact EMD solver: a primal network simplex specialised to the complete bipartite
 * transportation problem, over typed arrays.
 *
 * - **Exact integer flows.** Signature masses are integer pixel sums. With `g = gcd(Ta, Tb)` the
 *   problem is solved with supplies `mass_a[i] * Tb/g` and demands `mass_b[j] * Ta/g` (both integers,
 *   both summing to `Ta*Tb/g < 2^53`), so every flow is an exact integer in a double and degenerate
 *   pivots (zero steps) are recognised exactly. The cost is divided by `Ta*Tb/g` at the end.
 * - **Shared mass stays in place.** Mass that both signatures hold in the same window is removed
 *   first (`min(a_k, b_k)` at zero cost): with a metric ground distance this leaves the EMD unchanged
 *   (Kantorovich-Rubinstein: the EMD depends only on `a - b`), and the remaining problem has disjoint
 *   supports and far fewer arcs, especially between similar images.
 * - **Initial basis**: the north-west corner rule in raster (row-major window) order; ties advance the
 *   source side, which makes the initial tree *strongly feasible* (every zero-flow tree arc points to
 *   the root, source 0).
 * - **Pivoting**: block search pricing (blocks of ~sqrt(arcs), as in LEMON/POT), reduced cost must be
 *   below `-1e-12 * maxCost` to enter; the leaving arc is the last blocking arc of the cycle in the
 *   strongly-feasible orientation (Cunningham's rule), which prevents cycling on degenerate pivots.
 * - A pivot limit guards against bugs: exceeding it throws instead of returning a wrong value.
 *
 * Ground distance: Euclidean between window centres (see `ground.ts`).
 * @module
 */
import type { EmdSolution } from "./highs_emd.ts";
import { offsetDistanceTable } from "./ground.ts";
import type { Signature, WindowGrid } from "./signature.ts";

/** Statistics of one fast solve. */
export interface TransportStats {
  /** Number of simplex pivots (including degenerate ones). */
  pivots: number;
  /** Number of degenerate pivots (zero flow change). */
  degenerate: number;
}

/** A reusable fast EMD solver for one window grid; see {@linkcode createTransportSolver}. */
export interface TransportSolver {
  /** The EMD between two signatures of the solver's grid (cost only: the fast path). */
  emd(a: Signature, b: Signature): number;
  /** The EMD with its optimal flow (amounts in weight units, fractions of the mass). */
  solve(a: Signature, b: Signature): EmdSolution;
  /** Pivot statistics of the last solve. */
  readonly last: TransportStats;
}

const MAX_EXACT = 2 ** 53;

function gcd(x: number, y: number): number {
  while (y !== 0) {
    const t = x % y;
    x = y;
    y = t;
  }
  return x;
}

/** Options for {@linkcode createTransportSolver}. */
export interface TransportSolverOptions {
  /** Largest number of bins per signature to pre-allocate for (default: all windows of the grid). */
  maxBins?: number;
}

/** Creates a fast exact EMD solver for signatures on `grid`; workspaces are allocated once and reused. */
export function createTransportSolver(
  grid: WindowGrid,
  options: TransportSolverOptions = {},
): TransportSolver {
  const table = offsetDistanceTable(grid);
  const gc = grid.gridCols;
  let capacity = 0;
  let arcCapacity = 0;
  let cost = new Float64Array(0);
  let parent = new Int32Array(0);
  let flow = new Float64Array(0); // flow on the arc between a node and its parent
  let pi = new Float64Array(0);
  let mark = new Int32Array(0);
  let stack = new Int32Array(0);
  let firstChild = new Int32Array(0);
  let nextSibling = new Int32Array(0);
  let prevSibling = new Int32Array(0);
  let rowOfB = new Int32Array(0);
  let colOfB = new Int32Array(0);
  let sourceOf = new Int32Array(0); // reduced source k -> index into a
  let sinkOf = new Int32Array(0); // reduced sink k -> index into b
  let supply = new Float64Array(0);
  let demand = new Float64Array(0);
  let common = new Float64Array(0); // mass kept in place, per index into a (solve() only)
  let commonSink = new Int32Array(0); // matching index into b, or -1
  let markId = 0;
  // Size of the reduced problem of the last run.
  let lastN = 0;
  let lastM = 0;
  // Plain variables (not object fields): the optimised simplex loop must not deoptimise at its exit.
  let lastPivots = 0;
  let lastDegenerate = 0;

  function ensure(n: number, m: number): void {
    const nodes = n + m;
    if (nodes > capacity) {
      capacity = Math.max(nodes, 2 * (options.maxBins ?? grid.bins));
      parent = new Int32Array(capacity);
      flow = new Float64Array(capacity);
      pi = new Float64Array(capacity);
      mark = new Int32Array(capacity);
      stack = new Int32Array(capacity);
      firstChild = new Int32Array(capacity);
      nextSibling = new Int32Array(capacity);
      prevSibling = new Int32Array(capacity);
      rowOfB = new Int32Array(capacity);
      colOfB = new Int32Array(capacity);
      sourceOf = new Int32Array(capacity);
      sinkOf = new Int32Array(capacity);
      supply = new Float64Array(capacity);
      demand = new Float64Array(capacity);
      common = new Float64Array(capacity);
      commonSink = new Int32Array(capacity);
      markId = 0;
    }
    if (n * m > arcCapacity) {
      const maxBins = options.maxBins ?? grid.bins;
      arcCapacity = Math.max(n * m, Math.min(maxBins * maxBins, 1 << 22));
      cost = new Float64Array(arcCapacity);
    }
  }

  function attach(v: number, p: number): void {
    parent[v] = p;
    const first = firstChild[p];
    nextSibling[v] = first;
    prevSibling[v] = -1;
    if (first >= 0) prevSibling[first] = v;
    firstChild[p] = v;
  }

  function detach(v: number): void {
    const next = nextSibling[v];
    const prev = prevSibling[v];
    if (prev >= 0) nextSibling[prev] = next;
    else firstChild[parent[v]] = next;
    if (next >= 0) prevSibling[next] = prev;
  }

  function nextMark(): number {
    if (markId === 0x7fffffff) {
      mark.fill(0);
      markId = 0;
    }
    return ++markId;
  }

  /**
   * Subtracts the mass two signatures share at the same window (it stays in place at zero cost): for a
   * metric ground distance the EMD is unchanged (Kantorovich-Rubinstein duality: only `a - b` matters).
   * Fills the reduced sources and sinks (`sourceOf`, `supply`, `sinkOf`, `demand`, counts in
   * `lastN`/`lastM`) and the kept mass (`common`, `commonSink`). Needs bins in increasing order (as
   * signatures are built); otherwise nothing is reduced.
   */
  function reduce(a: Signature, b: Signature, scaleA: number, scaleB: number): void {
    const na = a.mass.length;
    const nb = b.mass.length;
    let n = 0;
    let m = 0;
    let i = 0;
    let j = 0;
    let sorted = true;
    for (let k = 1; k < na; k++) if (a.bins[k] <= a.bins[k - 1]) sorted = false;
    for (let k = 1; k < nb; k++) if (b.bins[k] <= b.bins[k - 1]) sorted = false;
    for (let k = 0; k < na; k++) {
      common[k] = 0;
      commonSink[k] = -1;
    }
    if (!sorted) {
      // Unsorted bins (hand-made signatures): no reduction.
      for (let k = 0; k < na; k++) {
        sourceOf[k] = k;
        supply[k] = a.mass[k] * scaleA;
      }
      for (let k = 0; k < nb; k++) {
        sinkOf[k] = k;
        demand[k] = b.mass[k] * scaleB;
      }
      lastN = na;
      lastM = nb;
      return;
    }
    while (i < na || j < nb) {
      const binA = i < na ? a.bins[i] : 0x10000;
      const binB = j < nb ? b.bins[j] : 0x10000;
      if (binA === binB) {
        const x = a.mass[i] * scaleA;
        const y = b.mass[j] * scaleB;
        common[i] = x < y ? x : y;
        commonSink[i] = j;
        if (x > y) {
          sourceOf[n] = i;
          supply[n++] = x - y;
        } else if (y > x) {
          sinkOf[m] = j;
          demand[m++] = y - x;
        }
        i++;
        j++;
      } else if (binA < binB) {
        sourceOf[n] = i;
        supply[n++] = a.mass[i++] * scaleA;
      } else {
        sinkOf[m] = j;
        demand[m++] = b.mass[j++] * scaleB;
      }
    }
    lastN = n;
    lastM = m;
  }

  /** Runs the simplex; returns the total scale (flows are integers summing to it). */
  function run(a: Signature, b: Signature): number {
    if (a.mass.length === 0 || b.mass.length === 0) {
      throw new Error("transport EMD: empty signature (no mass)");
    }
    ensure(a.mass.length, b.mass.length);
    const ta = a.total;
    const tb = b.total;
    const g = gcd(ta, tb);
    const scaleA = tb / g; // supply i = mass_a[i] * scaleA
    const scaleB = ta / g;
    const total = ta * scaleA;
    if (!(total < MAX_EXACT)) {
      throw new Error(`transport EMD: image totals ${ta} and ${tb} are too large for exact integer flows`);
    }
    reduce(a, b, scaleA, scaleB);
    const n = lastN;
    const m = lastM;
    lastPivots = 0;
    lastDegenerate = 0;
    if (n === 0 || m === 0) return total; // identical distributions: nothing moves
    // Cost matrix from the offset table.
    const aBins = a.bins;
    const bBins = b.bins;
    for (let j = 0; j < m; j++) {
      const bin = bBins[sinkOf[j]];
      const r = Math.floor(bin / gc);
      rowOfB[j] = r;
      colOfB[j] = bin - r * gc;
    }
    let maxCost = 0;
    for (let i = 0; i < n; i++) {
      const bin = aBins[sourceOf[i]];
      const ri = Math.floor(bin / gc);
      const ci = bin - ri * gc;
      const row = i * m;
      for (let j = 0; j < m; j++) {
        const dr = ri > rowOfB[j] ? ri - rowOfB[j] : rowOfB[j] - ri;
        const dc = ci > colOfB[j] ? ci - colOfB[j] : colOfB[j] - ci;
        const c = table[dr * gc + dc];
        cost[row + j] = c;
        if (c > maxCost) maxCost = c;
      }
    }
    const arcs = n * m;
    // North-west corner initial tree, rooted at source 0 (node ids: sources 0..n-1, sinks n..n+m-1).
    firstChild.fill(-1, 0, n + m);
    parent[0] = -1;
    flow[0] = 0;
    pi[0] = 0;
    {
      let i = 0;
      let j = 0;
      let ra = supply[0];
      let rb = demand[0];
      let child = n; // sink 0 joins through arc (0, 0)
      attach(n, 0);
      for (;;) {
        const x = ra < rb ? ra : rb;
        flow[child] = x;
        if (child >= n) pi[child] = pi[i] + cost[i * m + j];
        else pi[child] = pi[n + j] - cost[i * m + j];
        ra -= x;
        rb -= x;
        if (i === n - 1 && j === m - 1) break;
        if ((ra === 0 && i < n - 1) || j === m - 1) {
          i++;
          ra = supply[i];
          child = i;
          attach(i, n + j);
        } else {
          j++;
          rb = demand[j];
          child = n + j;
          attach(n + j, i);
        }
      }
    }
    // Simplex.
    const epsilon = -1e-12 * (maxCost > 0 ? maxCost : 1);
    const blockSize = Math.max(10, Math.ceil(Math.sqrt(arcs)));
    const pivotLimit = 1000 + 50 * arcs;
    let nextArc = 0;
    let pivots = 0;
    let degenerate = 0;
    for (;;) {
      // Block search for the entering arc, row by row. Tree arcs need no test: their reduced cost is
      // zero up to rounding, far above the entering threshold.
      let best = epsilon;
      let entering = -1;
      let remaining = blockSize;
      let scanned = 0;
      let i = Math.floor(nextArc / m);
      let j = nextArc - i * m;
      for (;;) {
        const base = i * m;
        const piI = pi[i];
        const stop = j + remaining < m ? j + remaining : m;
        for (let jj = j; jj < stop; jj++) {
          const rc = cost[base + jj] + piI - pi[n + jj];
          if (rc < best) {
            best = rc;
            entering = base + jj;
          }
        }
        scanned += stop - j;
        remaining -= stop - j;
        j = stop;
        if (j === m) {
          j = 0;
          i = i + 1 === n ? 0 : i + 1;
        }
        if (remaining === 0) {
          if (entering >= 0) break;
          remaining = blockSize;
        }
        if (scanned >= arcs) break;
      }
      const e = i * m + j;
      if (entering < 0) break;
      nextArc = e;
      if (++pivots > pivotLimit) {
        throw new Error(`transport EMD: pivot limit ${pivotLimit} exceeded on a ${n}x${m} problem`);
      }
      const si = Math.floor(entering / m);
      const u1 = si; // source of the entering arc
      const u2 = n + (entering - si * m); // its sink
      // Join node (apex of the cycle).
      const id = nextMark();
      for (let u = u1; u !== -1; u = parent[u]) mark[u] = id;
      let join = u2;
      while (mark[join] !== id) join = parent[join];
      // Leaving arc: last blocking arc in the cycle orientation (join -> u1 -> u2 -> join).
      let delta = Infinity;
      let uOut = -1;
      let side = 0;
      for (let u = u1; u !== join; u = parent[u]) {
        if (u < n && flow[u] < delta) {
          delta = flow[u];
          uOut = u;
          side = 1;
        }
      }
      for (let u = u2; u !== join; u = parent[u]) {
        if (u >= n && flow[u] <= delta) {
          delta = flow[u];
          uOut = u;
          side = 2;
        }
      }
      if (uOut < 0) throw new Error("transport EMD: unbounded pivot (internal error)");
      // (Counted on every pivot: a rarely taken branch would deoptimise the hot loop when first hit.)
      degenerate += delta > 0 ? 0 : 1;
      if (delta > 0) {
        for (let u = u1; u !== join; u = parent[u]) flow[u] += u < n ? -delta : delta;
        for (let u = u2; u !== join; u = parent[u]) flow[u] += u < n ? delta : -delta;
      }
      // Drop the leaving arc (uOut to its parent) and re-hang the subtree at the entering arc.
      const top = side === 1 ? u1 : u2; // root of the re-hung subtree
      let child = top;
      let newParent = side === 1 ? u2 : u1;
      let carried = delta;
      for (;;) {
        const oldParent = parent[child];
        const oldFlow = flow[child];
        detach(child);
        attach(child, newParent);
        flow[child] = carried;
        if (child === uOut) break;
        newParent = child;
        carried = oldFlow;
        child = oldParent;
      }
      // Potentials of the re-hung subtree, recomputed from its new parent downwards (no drift).
      let depth = 0;
      stack[depth++] = top;
      while (depth > 0) {
        const u = stack[--depth];
        const p = parent[u];
        pi[u] = u < n ? pi[p] - cost[u * m + (p - n)] : pi[p] + cost[p * m + (u - n)];
        for (let c = firstChild[u]; c >= 0; c = nextSibling[c]) stack[depth++] = c;
      }
    }
    lastPivots = pivots;
    lastDegenerate = degenerate;
    return total;
  }

  function treeCost(): number {
    const n = lastN;
    const m = lastM;
    if (n === 0 || m === 0) return 0;
    let sum = 0;
    for (let v = 1; v < n + m; v++) {
      const f = flow[v];
      if (f !== 0) {
        const p = parent[v];
        sum += f * (v < n ? cost[v * m + (p - n)] : cost[p * m + (v - n)]);
      }
    }
    return sum;
  }

  return {
    emd(a, b) {
      const total = run(a, b);
      return treeCost() / total;
    },
    solve(a, b) {
      const total = run(a, b);
      const cost = treeCost() / total;
      const n = lastN;
      const m = lastM;
      const moved = n > 0 && m > 0 ? n + m : 0;
      let nonZero = 0;
      for (let v = 1; v < moved; v++) if (flow[v] !== 0) nonZero++;
      for (let k = 0; k < a.mass.length; k++) if (common[k] > 0) nonZero++;
      const from = new Int32Array(nonZero);
      const to = new Int32Array(nonZero);
      const amount = new Float64Array(nonZero);
      let t = 0;
      for (let k = 0; k < a.mass.length; k++) {
        if (common[k] > 0) {
          from[t] = k;
          to[t] = commonSink[k];
          amount[t++] = common[k] / total;
        }
      }
      for (let v = 1; v < moved; v++) {
        if (flow[v] === 0) continue;
        const p = parent[v];
        from[t] = sourceOf[v < n ? v : p];
        to[t] = sinkOf[v < n ? p - n : v - n];
        amount[t++] = flow[v] / total;
      }
      return { cost, from, to, amount };
    },
    get last() {
      return { pivots: lastPivots, degenerate: lastDegenerate };
    },
  };
}
