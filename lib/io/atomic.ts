/**
 * Writing files so that a reader never sees a half-written one: write to a temporary file beside the
 * target, then rename it into place.
 * @module
 */
import { basename, dirname, join } from "node:path";

let counter = 0;

function temporaryPathFor(path: string): string {
  counter += 1;
  return join(dirname(path), `.${basename(path)}.${Deno.pid}.${counter}.tmp`);
}

/** Writes `data` to `path` atomically (temporary file + rename); on failure no file is left behind. */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const temporary = temporaryPathFor(path);
  try {
    if (typeof data === "string") await Deno.writeTextFile(temporary, data);
    else await Deno.writeFile(temporary, data);
    await Deno.rename(temporary, path);
  } catch (error) {
    await Deno.remove(temporary).catch(() => {});
    throw error;
  }
}

/** Synchronous form of {@linkcode writeFileAtomic}. */
export function writeFileAtomicSync(path: string, data: Uint8Array | string): void {
  const temporary = temporaryPathFor(path);
  try {
    if (typeof data === "string") Deno.writeTextFileSync(temporary, data);
    else Deno.writeFileSync(temporary, data);
    Deno.renameSync(temporary, path);
  } catch (error) {
    try {
      Deno.removeSync(temporary);
    } catch { /* already gone */ }
    throw error;
  }
}
