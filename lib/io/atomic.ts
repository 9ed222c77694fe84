/**
 * Writing one file so that a reader never sees a half-written one: write to a temporary beside the
 * target, then rename it into place. The temporary is recorded for the interrupt guard
 * (`interrupt.ts`), so Ctrl-C removes it; a killed writer's temporary is recognised by its name and
 * removed by the next run (`stale.ts`). Several files that belong together: `commit.ts`.
 * @module
 */
import { temporaryPath } from "./_names.ts";
import {
  handlePendingSignals,
  holdingSignals,
  trackTemporary,
  trackWrite,
  unlessInterrupted,
  untrackTemporary,
} from "./interrupt.ts";

/** Writes `data` to `path` atomically (temporary file + rename); on failure no file is left behind. */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  await unlessInterrupted();
  const temporary = temporaryPath(path, "tmp");
  trackTemporary(temporary);
  try {
    await trackWrite(
      typeof data === "string"
        ? Deno.writeTextFile(temporary, data, { createNew: true })
        : Deno.writeFile(temporary, data, { createNew: true }),
    );
    await handlePendingSignals();
    await holdingSignals(() => Deno.rename(temporary, path));
  } catch (error) {
    await Deno.remove(temporary).catch(() => {});
    throw error;
  } finally {
    untrackTemporary(temporary);
  }
}
