/** Shared helpers for the command-line tool tests. */
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { type ChildRun, interruptDeno, type InterruptOptions, runDeno } from "../_helpers.ts";

/** Runs the tool `name` (`lib/cli/<name>.ts`) with `args` as a process of its own, to its end. */
export function runToolProcess(name: string, args: readonly string[]): Promise<ChildRun> {
  return runDeno(["run", "-A", toolScript(name), ...args]);
}

/** Starts the tool `name` with `args` as a process of its own and interrupts it (see `interruptDeno`). */
export function interruptToolProcess(
  name: string,
  args: readonly string[],
  options: InterruptOptions,
): Promise<ChildRun> {
  return interruptDeno(["run", "-A", toolScript(name), ...args], options);
}

function toolScript(name: string): string {
  return fileURLToPath(new URL(`../../lib/cli/${name}.ts`, import.meta.url));
}

/** Runs `fn` with console.log and console.error captured (one entry per call). */
export function silently<T>(fn: () => Promise<T>): Promise<{ value: T; errors: string[]; logs: string[] }> {
  const errors: string[] = [];
  const logs: string[] = [];
  const [error, log] = [console.error, console.log];
  console.error = (...a: unknown[]) => errors.push(a.join(" "));
  console.log = (...a: unknown[]) => logs.push(a.join(" "));
  return fn().then((value) => ({ value, errors, logs })).finally(() => {
    console.error = error;
    console.log = log;
  });
}

async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Every entry under `folder` (hidden ones included) by relative path: the SHA-256 of a file's bytes,
 * `dir` for a folder, `-> target` for a symbolic link. Two equal digests mean nothing was changed,
 * added or removed.
 */
export async function treeDigest(folder: string): Promise<Record<string, string>> {
  const digest: Record<string, string> = {};
  const walk = async (dir: string) => {
    for await (const entry of Deno.readDir(dir)) {
      const path = join(dir, entry.name);
      const key = relative(folder, path);
      if (entry.isSymlink) digest[key] = `-> ${await Deno.readLink(path)}`;
      else if (entry.isDirectory) {
        digest[key] = "dir";
        await walk(path);
      } else digest[key] = await sha256(await Deno.readFile(path));
    }
  };
  await walk(folder);
  return Object.fromEntries(Object.entries(digest).sort(([a], [b]) => a.localeCompare(b)));
}
