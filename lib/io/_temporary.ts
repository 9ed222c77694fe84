/**
 * New content beside a target: the `tmp` temporary that `atomic.ts` and `commit.ts` fill and then
 * rename onto the target. Its name is recorded for the interrupt guard before anything is created, no
 * temporary is started once the guard is handling a signal, and the guard waits for a write in flight.
 * @module
 */
import { temporaryPath } from "./_names.ts";
import { trackTemporary, trackWrite, unlessInterrupted } from "./interrupt.ts";

/** A fresh `tmp` path beside `target`, recorded for the interrupt guard (nothing is created yet). */
export async function startTemporary(target: string): Promise<string> {
  await unlessInterrupted();
  const temporary = temporaryPath(target, "tmp");
  trackTemporary(temporary);
  return temporary;
}

/** Writes `data` to the new file `temporary` (it must not exist yet); the interrupt guard waits for it. */
export function writeTemporary(temporary: string, data: Uint8Array | string): Promise<void> {
  return trackWrite(
    typeof data === "string"
      ? Deno.writeTextFile(temporary, data, { createNew: true })
      : Deno.writeFile(temporary, data, { createNew: true }),
  );
}
