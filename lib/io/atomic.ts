/**
 * Writing one file so that a reader never sees a half-written one: write to a temporary beside the
 * target, then rename it into place. The temporary is recorded for the interrupt guard
 * (`interrupt.ts`), so Ctrl-C removes it; a killed writer's temporary is recognised by its name and
 * removed by the next run (`stale.ts`). Several files that belong together: `commit.ts`.
 * @module
 */
import { startTemporary, writeTemporary } from "./_temporary.ts";
import { handlePendingSignals, holdingSignals, untrackTemporary } from "./interrupt.ts";

/** Writes `data` to `path` atomically (temporary file + rename); on failure no file is left behind. */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const temporary = await startTemporary(path);
  try {
    await writeTemporary(temporary, data);
    await handlePendingSignals();
    await holdingSignals(() => Deno.rename(temporary, path));
  } catch (error) {
    await Deno.remove(temporary).catch(() => {});
    throw error;
  } finally {
    untrackTemporary(temporary);
  }
}
