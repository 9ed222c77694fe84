/**
 * The build pipeline of the project's WebAssembly modules. AssemblyScript 0.28.20 (pinned in deno.json)
 * compiles each entry of {@linkcode WASM_MODULES} to a wasm module, which is committed base64-encoded in
 * a generated TypeScript module (so that users never need the compiler); at run time
 * `compileEmbeddedWasm` (`memory.ts`) compiles it once per thread. `tests/simd/build_test.ts` rebuilds
 * every module and fails when a committed one differs from a fresh build.
 *
 * Run: `deno run -A lib/simd/build.ts` rebuilds every module; `--check` only compares (exit 1 when one
 * differs).
 *
 * Adding a module: an AssemblyScript entry file (`.ts`: asc reads only those; shared helpers in
 * `asm/v128.ts`, imported without the extension; a self-contained source may keep the `.as` extension,
 * which keeps Deno's linter, formatter and type checker away from AssemblyScript-only syntax such as
 * `@inline` functions: it is compiled from a `.ts` copy), an entry in {@linkcode WASM_MODULES} with its
 * asc flags ({@linkcode SHARED_MEMORY_FLAGS} for a module that runs on a memory shared by Workers,
 * following the conventions of `memory.ts`; {@linkcode IMPORTED_MEMORY_FLAGS} for one that runs on
 * another module's memory), then `deno run -A lib/simd/build.ts`. This is the one pipeline for the
 * project's WebAssembly, the TensorFlow.js kernels' module (`lib/nn/kernels/assembly/kernels.as`, on the
 * tfjs-wasm heap) included.
 * @module
 */
import { basename, extname, join } from "node:path";
import { writeFileAtomic } from "../io/atomic.ts";
import { encodeBase64 } from "../util/base64.ts";
import { PROJECT_ROOT } from "../util/project_root.ts";

/** One WebAssembly module: its AssemblyScript source, its generated module and how it is compiled. */
export interface WasmModuleSpec {
  /** The AssemblyScript entry file, relative to the repository root. */
  source: string;
  /** The generated TypeScript module holding the wasm bytes, relative to the repository root. */
  output: string;
  /** Name of the exported base64 constant in `output`. */
  constant: string;
  /** What the module is (the constant's doc comment). */
  description: string;
  /** The asc flags (the output file is added). */
  flags: readonly string[];
}

/** asc flags of a module on an imported memory shared by Workers: SIMD, no runtime or allocator. */
export const SHARED_MEMORY_FLAGS: readonly string[] = [
  "-O3",
  "--runtime",
  "stub",
  "--enable",
  "simd",
  "--enable",
  "threads",
  "--noAssert",
  "--importMemory",
  "--sharedMemory",
  "--initialMemory",
  "1",
  "--maximumMemory",
  "65536",
];

/**
 * asc flags of a module that works on the memory of another WebAssembly module (the TensorFlow.js wasm
 * backend's heap, not shared): SIMD, no runtime or allocator, the memory imported as `env.memory`.
 */
export const IMPORTED_MEMORY_FLAGS: readonly string[] = [
  "-O3",
  "--runtime",
  "stub",
  "--enable",
  "simd",
  "--noAssert",
  "--importMemory",
];

/** Every WebAssembly module this pipeline builds. */
export const WASM_MODULES: readonly WasmModuleSpec[] = [
  {
    source: "lib/simd/asm/l1.ts",
    output: "lib/simd/_l1_wasm.ts",
    constant: "L1_WASM_BASE64",
    description: "The L1 kernels (WebAssembly, SIMD, imported shared memory), base64-encoded.",
    flags: SHARED_MEMORY_FLAGS,
  },
  {
    source: "lib/search/asm/lsh.ts",
    output: "lib/search/_lsh_wasm.ts",
    constant: "LSH_WASM_BASE64",
    description: "The LSH query path (WebAssembly, SIMD, imported shared memory), base64-encoded.",
    flags: SHARED_MEMORY_FLAGS,
  },
  {
    source: "lib/nn/kernels/assembly/kernels.as",
    output: "lib/nn/kernels/_simd_wasm.ts",
    constant: "SIMD_KERNELS_WASM_BASE64",
    description: "The tfjs-wasm helper kernels (WebAssembly, SIMD, imported tfjs heap), base64-encoded.",
    flags: IMPORTED_MEMORY_FLAGS,
  },
];

/** Compiles `spec`'s source with asc and returns the wasm bytes. */
export async function compileWasm(spec: WasmModuleSpec): Promise<Uint8Array> {
  const outDir = await Deno.makeTempDir({ prefix: "latentlab-asc-" });
  try {
    const wasmPath = join(outDir, "module.wasm");
    let source = join(PROJECT_ROOT, spec.source);
    if (!source.endsWith(".ts")) {
      // asc reads only .ts files: compile a copy (the source must then import nothing).
      const copy = join(outDir, `${basename(source, extname(source))}.ts`);
      await Deno.copyFile(source, copy);
      source = copy;
    }
    const command = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "npm:assemblyscript@0.28.20/asc",
        source,
        ...spec.flags,
        "-o",
        wasmPath,
      ],
      cwd: PROJECT_ROOT,
      stdout: "piped",
      stderr: "piped",
    });
    const result = await command.output();
    if (!result.success) {
      throw new Error(`asc failed on ${spec.source}:\n${new TextDecoder().decode(result.stderr)}`);
    }
    return await Deno.readFile(wasmPath);
  } finally {
    await Deno.remove(outDir, { recursive: true });
  }
}

/** Renders the generated module's source text for `spec` and its wasm bytes. */
export function renderWasmModule(spec: WasmModuleSpec, bytes: Uint8Array): string {
  const base64 = encodeBase64(bytes);
  const lines: string[] = [];
  for (let i = 0; i < base64.length; i += 100) lines.push(`  "${base64.slice(i, i + 100)}",`);
  return [
    `// Generated by lib/simd/build.ts from ${spec.source}. Do not edit.`,
    "",
    `/** ${spec.description} */`,
    `export const ${spec.constant}: string = [`,
    ...lines,
    '].join("");',
    "",
  ].join("\n");
}

if (import.meta.main) {
  const check = Deno.args.includes("--check");
  let differs = false;
  for (const spec of WASM_MODULES) {
    const bytes = await compileWasm(spec);
    const text = renderWasmModule(spec, bytes);
    const path = join(PROJECT_ROOT, spec.output);
    if (check) {
      const current = await Deno.readTextFile(path).catch(() => "");
      if (current === text) console.log(`${spec.output} matches a fresh build (${bytes.length} bytes)`);
      else {
        console.error(`${spec.output} differs from a fresh build of ${spec.source}`);
        differs = true;
      }
    } else {
      await writeFileAtomic(path, text);
      console.log(`wrote ${spec.output} (${bytes.length} wasm bytes)`);
    }
  }
  if (differs) Deno.exit(1);
}
