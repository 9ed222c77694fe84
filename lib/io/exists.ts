/**
 * Whether something is at a path.
 * @module
 */

/**
 * Whether a file, folder or link is at `path` (a link counts even when its target is missing: the
 * name is taken). Errors other than "not found" count as taken too.
 */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}
