/**
 * Outputs that are replaced together or not at all. Each output (a file, or a folder such as a saved
 * model) is first written completely to a temporary beside its target; {@linkcode OutputSet.commit}
 * then renames every temporary onto its target, with signals held (see `interrupt.ts`). When a rename
 * fails, the targets already replaced are put back, so either every target has its new content or
 * every target is as it was. Until the commit nothing visible changes: a failure or an interrupt
 * before it leaves the old files intact, and the temporaries are removed.
 *
 * ```ts
 * const outputs = new OutputSet();
 * try {
 *   await outputs.addFile("a.idx", bytesA);
 *   await outputs.addFile("b.idx", bytesB);
 *   await outputs.commit();
 * } finally {
 *   await outputs.discard(); // no-op after a commit
 * }
 * ```
 * @module
 */
import { temporaryPath } from "./_names.ts";
import { startTemporary, writeTemporary } from "./_temporary.ts";
import {
  handlePendingSignals,
  holdingSignals,
  trackTemporary,
  trackWrite,
  untrackTemporary,
} from "./interrupt.ts";

interface Entry {
  target: string;
  /** The new content; undefined for a removal. */
  temporary?: string;
  folder: boolean;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

async function removeQuietly(path: string): Promise<void> {
  await Deno.remove(path, { recursive: true }).catch(() => {});
  untrackTemporary(path);
}

/** A set of outputs committed together (see the module doc). */
export class OutputSet {
  #entries: Entry[] = [];
  #done = false;

  /** The targets added so far, in order. */
  get targets(): string[] {
    return this.#entries.map((entry) => entry.target);
  }

  #check(target: string): void {
    if (this.#done) throw new Error("OutputSet: already committed or discarded");
    if (this.#entries.some((entry) => entry.target === target)) {
      throw new Error(`OutputSet: ${target} was added twice`);
    }
  }

  /** Writes `data` to a temporary beside `target` (the target itself is untouched until the commit). */
  async addFile(target: string, data: Uint8Array | string): Promise<void> {
    this.#check(target);
    const temporary = await startTemporary(target);
    this.#entries.push({ target, temporary, folder: false });
    await writeTemporary(temporary, data);
  }

  /**
   * Creates a temporary folder beside `target` and lets `fill` write into it; at the commit it
   * replaces `target` (a folder, or nothing) as a whole.
   */
  async addFolder(target: string, fill: (folder: string) => Promise<void>): Promise<void> {
    this.#check(target);
    const temporary = await startTemporary(target);
    this.#entries.push({ target, temporary, folder: true });
    await trackWrite(Deno.mkdir(temporary).then(() => fill(temporary)));
  }

  /** Removes `target` (a file) at the commit, together with the other changes. */
  addRemoval(target: string): void {
    this.#check(target);
    this.#entries.push({ target, folder: false });
  }

  /**
   * Renames every temporary onto its target (signals held; a signal that arrived before is handled
   * first, so the targets stay as they were). On a failure the targets already replaced are restored
   * and the error is thrown; the temporaries are removed either way.
   */
  async commit(): Promise<void> {
    if (this.#done) throw new Error("OutputSet: already committed or discarded");
    await handlePendingSignals(); // a Ctrl-C pressed during the work stops us before anything is replaced
    await holdingSignals(async () => {
      const moved: { target: string; old?: string }[] = [];
      try {
        for (const entry of this.#entries) {
          let old: string | undefined;
          if (await exists(entry.target)) {
            old = temporaryPath(entry.target, "old");
            trackTemporary(old);
            // Keep the previous target under a temporary name until every rename succeeded.
            if (entry.folder || entry.temporary === undefined) await Deno.rename(entry.target, old);
            else await Deno.link(entry.target, old).catch(() => Deno.copyFile(entry.target, old!));
          }
          moved.push({ target: entry.target, old });
          if (entry.temporary !== undefined) {
            await Deno.rename(entry.temporary, entry.target);
            untrackTemporary(entry.temporary);
          }
        }
      } catch (error) {
        for (const { target, old } of moved.reverse()) {
          const entry = this.#entries.find((e) => e.target === target)!;
          if (entry.temporary !== undefined && !(await exists(entry.temporary))) {
            // The new content is in place: take it away again.
            if (old === undefined || entry.folder) {
              await Deno.remove(target, { recursive: true }).catch(() => {});
            }
          }
          if (old !== undefined) {
            await Deno.rename(old, target).catch(() => {});
            untrackTemporary(old);
          }
        }
        await this.#removeTemporaries();
        this.#done = true;
        throw error;
      }
      for (const { old } of moved) if (old !== undefined) await removeQuietly(old);
      this.#done = true;
    });
  }

  async #removeTemporaries(): Promise<void> {
    for (const entry of this.#entries) {
      if (entry.temporary !== undefined) await removeQuietly(entry.temporary);
    }
  }

  /** Removes the temporaries without touching any target (does nothing after a commit). */
  async discard(): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    await this.#removeTemporaries();
  }
}
