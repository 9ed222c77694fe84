/**
 * Snapshots of a results folder, so that a run that fails, is interrupted or is killed can be undone:
 * {@linkcode createSnapshot} copies every file of the folder (except those the caller writes itself
 * through a commit) into a hidden temporary folder inside it, with a manifest; {@linkcode
 * restoreSnapshot} puts every file back and removes the files the run added; {@linkcode
 * releaseSnapshot} keeps the run's changes.
 *
 * Files are copied, not hard-linked: a notebook may rewrite a file in place (truncate and write),
 * which would change a hard-linked copy too. The manifest is written last, so a snapshot without one
 * was never complete and nothing was changed under it (the run starts only afterwards); a stale
 * snapshot with a manifest (its writer was killed) is restored by the next run (`stale.ts`).
 * Subfolders that hold their own `index.html` are other results folders and are left out.
 *
 * A snapshot is not a temporary the interrupt guard removes: an interrupted run restores it (an
 * interrupt hook), and if it cannot, the next run does.
 * @module
 */
import { dirname, join, relative } from "node:path";
import { temporaryPath } from "./_names.ts";

const MANIFEST = "manifest.json";
const FILES = "files";

/** A snapshot made by {@linkcode createSnapshot}. */
export interface Snapshot {
  /** The folder it can restore. */
  folder: string;
  /** The hidden folder holding the copies. */
  dir: string;
}

/** Options for {@linkcode createSnapshot}. */
export interface SnapshotOptions {
  /**
   * Paths relative to the folder (with `/`) that are not copied and never touched by a restore: the
   * files the caller replaces itself through a commit.
   */
  exclude?: readonly string[];
}

interface Manifest {
  files: string[];
  folders: string[];
  excluded: string[];
}

async function walk(
  folder: string,
  exclude: ReadonlySet<string>,
): Promise<{ files: string[]; folders: string[] }> {
  const files: string[] = [];
  const folders: string[] = [];
  const visit = async (dir: string, top: boolean) => {
    const names: Deno.DirEntry[] = [];
    for await (const entry of Deno.readDir(dir)) names.push(entry);
    if (!top && names.some((entry) => entry.isFile && entry.name === "index.html")) return;
    for (const entry of names) {
      if (entry.name.startsWith(".")) continue;
      const path = join(dir, entry.name);
      const rel = relative(folder, path).split("\\").join("/");
      if (exclude.has(rel)) continue;
      if (entry.isDirectory) {
        folders.push(rel);
        await visit(path, false);
      } else if (entry.isFile) files.push(rel);
    }
  };
  await visit(folder, true);
  return { files, folders };
}

/** Copies the files of `folder` into a new snapshot (see the module doc). */
export async function createSnapshot(folder: string, options: SnapshotOptions = {}): Promise<Snapshot> {
  const excluded = [...(options.exclude ?? [])];
  const dir = temporaryPath(join(folder, "results"), "snap");
  await Deno.mkdir(join(dir, FILES), { recursive: true });
  const { files, folders } = await walk(folder, new Set(excluded));
  for (const rel of files) {
    const copy = join(dir, FILES, rel);
    await Deno.mkdir(dirname(copy), { recursive: true });
    await Deno.copyFile(join(folder, rel), copy);
  }
  const manifest: Manifest = { files, folders, excluded };
  await Deno.writeTextFile(join(dir, MANIFEST), JSON.stringify(manifest));
  return { folder, dir };
}

function isManifest(value: unknown): value is Manifest {
  const strings = (list: unknown) => Array.isArray(list) && list.every((item) => typeof item === "string");
  const m = value as Manifest;
  return typeof value === "object" && value !== null && strings(m.files) && strings(m.folders) &&
    strings(m.excluded);
}

/**
 * Restores the snapshot stored in `dir` into the folder that holds it: every file copied goes back,
 * files and folders that are not in it are removed (except hidden ones and the excluded ones), and
 * `dir` is removed. A snapshot without a (valid) manifest is only removed. Used for stale snapshots.
 */
export async function restoreSnapshotDir(dir: string): Promise<void> {
  const folder = dirname(dir);
  let manifest: unknown;
  try {
    manifest = JSON.parse(await Deno.readTextFile(join(dir, MANIFEST)));
  } catch { /* incomplete: nothing was changed under it */ }
  if (isManifest(manifest)) {
    const keepFiles = new Set(manifest.files);
    const keepFolders = new Set(manifest.folders);
    const now = await walk(folder, new Set(manifest.excluded));
    for (const rel of now.files) {
      if (!keepFiles.has(rel)) await Deno.remove(join(folder, rel)).catch(() => {});
    }
    for (const rel of manifest.files) {
      const target = join(folder, rel);
      await Deno.mkdir(dirname(target), { recursive: true });
      await Deno.rename(join(dir, FILES, rel), target);
    }
    for (const rel of now.folders.reverse()) {
      if (!keepFolders.has(rel)) await Deno.remove(join(folder, rel)).catch(() => {}); // only when empty
    }
  }
  await Deno.remove(dir, { recursive: true }).catch(() => {});
}

/** Puts `snapshot.folder` back as it was when the snapshot was made, and removes the snapshot. */
export async function restoreSnapshot(snapshot: Snapshot): Promise<void> {
  await restoreSnapshotDir(snapshot.dir);
}

/**
 * Keeps the changes made since the snapshot: its manifest goes first (from then on a stale copy would
 * only be removed, never restored), then the copies.
 */
export async function releaseSnapshot(snapshot: Snapshot): Promise<void> {
  await Deno.remove(join(snapshot.dir, MANIFEST)).catch(() => {});
  await Deno.remove(snapshot.dir, { recursive: true }).catch(() => {});
}
