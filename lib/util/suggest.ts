/**
 * "Did you mean …?" for names typed by a user: the closest candidate by edit distance.
 * @module
 */

/** The Levenshtein distance between `a` and `b` (insertions, deletions, substitutions). */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current.push(Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost));
    }
    previous = current;
  }
  return previous[b.length];
}

/** Options for {@linkcode closestName}. */
export interface ClosestNameOptions {
  /** Largest distance still suggested. Default: a third of the word's length, at least 2. */
  maxDistance?: number;
  /** Compare after this mapping (e.g. lower case without `_` and `-`). Default: as typed. */
  normalize?: (name: string) => string;
}

/** The candidate closest to `word`, when it is close enough to be a likely typo; ties: the first. */
export function closestName(
  word: string,
  candidates: Iterable<string>,
  options: ClosestNameOptions = {},
): string | undefined {
  const normalize = options.normalize ?? ((name: string) => name);
  const limit = options.maxDistance ?? Math.max(2, Math.floor(word.length / 3));
  const target = normalize(word);
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(target, normalize(candidate));
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return bestDistance <= limit ? best : undefined;
}
