/**
 * Writing one file so that a reader never sees a half-written one: write to a temporary beside the
 * target, then rename it into place. The temporary is recorded for the interrupt guard
 * (`interrupt.ts`), so Ctrl-C removes it; a killed writer's temporary is recognised by its name and
 * removed by the next run (`stale.ts`). Several files that belong together: `commit.ts`.
 * @module
 */
import { temporaryPath } from "./_names.ts";
import { holdingSignals, trackTemporary, untrackTemporary } from "./interrupt.ts";

/** Writes `data` to `path` atomically (temporary file + rename); on failure no file is left behind. */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const temporary = temporaryPath(path, "tmp");
  trackTemporary(temporary);
  try {
    if (typeof data === "string") await Deno.writeTextFile(temporary, data, { createNew: true });
    else await Deno.writeFile(temporary, data, { createNew: true });
    await holdingSignals(() => Deno.rename(temporary, path));
  } catch (error) {
    await Deno.remove(temporary).catch(() => {});
    throw error;
  } finally {
    untrackTemporary(temporary);
  }
}
