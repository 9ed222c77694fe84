/**
 * The one typed entry point to the npm `highs` package (HiGHS compiled to WebAssembly). The package
 * declares CommonJS, so `import highsLoader from "highs"` fails `deno check` (TS2349); this module
 * reaches the loader through the namespace object and types it.
 * @module
 */
import * as highsModule from "highs";
import type { Highs, InitOptions } from "highs";

export type { Highs, ModelData } from "highs";

type HighsLoader = (options?: InitOptions) => Promise<Highs>;

let compiled: Promise<WebAssembly.Module> | undefined;

async function compiledModule(): Promise<WebAssembly.Module> {
  const url = import.meta.resolve("highs").replace(/highs\.m?js$/, "highs.wasm");
  const bytes = url.startsWith("file:") ? await Deno.readFile(new URL(url)) : undefined;
  if (!bytes) throw new Error(`highs: cannot locate highs.wasm (resolved loader ${url})`);
  return await WebAssembly.compile(bytes);
}

/**
 * Loads a fresh HiGHS instance. The WebAssembly module is compiled once per process and reused, so a
 * fresh instance (needed after a native abort) costs only instantiation.
 */
export async function loadHighs(): Promise<Highs> {
  const loader = (highsModule as unknown as { default: HighsLoader }).default;
  compiled ??= compiledModule().catch((error) => {
    compiled = undefined;
    throw error;
  });
  let wasmModule: WebAssembly.Module | undefined;
  try {
    wasmModule = await compiled;
  } catch {
    wasmModule = undefined; // fall back to the loader's own lookup
  }
  return await loader(wasmModule ? { wasmModule } : undefined);
}
