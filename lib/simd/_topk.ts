/**
 * Keeping the k smallest distances of a scan, ties broken by the lower index.
 * @module
 */

/** A sorted top-k list (ascending distance, then index), updated in place. */
export interface TopKList {
  /** k. */
  k: number;
  /** Distances, ascending; 0xffffffff marks an empty slot. */
  dist: Uint32Array;
  /** Indices matching `dist`. */
  index: Uint32Array;
}

/**
 * Merges the distances `dist[i]` of rows `first + i` (ascending indices, all greater than the indices
 * already in `list`) into `list`. Distances must be below 0xffffffff (true for uint8 and for int16
 * vectors of up to 65,537 dimensions).
 */
export function scanTopK(dist: Uint32Array, first: number, list: TopKList): void {
  const { k, dist: bestDist, index: bestIndex } = list;
  const n = dist.length;
  if (k === 1) {
    let best = bestDist[0];
    let bestAt = -1;
    for (let i = 0; i < n; i++) {
      const d = dist[i];
      if (d < best) {
        best = d;
        bestAt = i;
      }
    }
    if (bestAt >= 0) {
      bestDist[0] = best;
      bestIndex[0] = first + bestAt;
    }
    return;
  }
  let worst = bestDist[k - 1];
  for (let i = 0; i < n; i++) {
    const d = dist[i];
    if (d >= worst) continue;
    let p = k - 1;
    while (p > 0 && bestDist[p - 1] > d) {
      bestDist[p] = bestDist[p - 1];
      bestIndex[p] = bestIndex[p - 1];
      p--;
    }
    bestDist[p] = d;
    bestIndex[p] = first + i;
    worst = bestDist[k - 1];
  }
}

/**
 * Merges two sorted top-k lists into `out` (ascending distance, ties by lower index); empty slots
 * (index 0xffffffff) come last.
 */
export function mergeTopK(a: TopKList, b: TopKList, out: TopKList): void {
  let i = 0;
  let j = 0;
  for (let p = 0; p < out.k; p++) {
    const aEmpty = i >= a.k || a.index[i] === 0xffffffff;
    const bEmpty = j >= b.k || b.index[j] === 0xffffffff;
    let takeA: boolean;
    if (aEmpty && bEmpty) {
      out.dist[p] = 0xffffffff;
      out.index[p] = 0xffffffff;
      continue;
    } else if (aEmpty) takeA = false;
    else if (bEmpty) takeA = true;
    else takeA = a.dist[i] < b.dist[j] || (a.dist[i] === b.dist[j] && a.index[i] < b.index[j]);
    if (takeA) {
      out.dist[p] = a.dist[i];
      out.index[p] = a.index[i];
      i++;
    } else {
      out.dist[p] = b.dist[j];
      out.index[p] = b.index[j];
      j++;
    }
  }
}
