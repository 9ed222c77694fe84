/**
 * Chooses and initialises the TensorFlow.js backend once per process.
 *
 * Order (first that works): `tensorflow` (tfjs-node-gpu, then tfjs-node, only when the package is
 * installed and its native addon loads) → `webgpu` (only on a real, non-fallback GPU adapter) →
 * `wasm` with latentlab's replacement kernels (see `kernels/mod.ts`) → `cpu` (pure JS, with a loud
 * warning). `LATENTLAB_BACKEND=tensorflow|webgpu|wasm|cpu` (or `options.backend`) forces one; a
 * forced backend that cannot start is an error, not a silent fallback.
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
// tfjs-core's node bundle registers no gradients; tfjs-layers' bundle registers all of them.
import "@tensorflow/tfjs-layers";
import { InputError } from "../errors.ts";
import { registerWasmKernels } from "./kernels/mod.ts";

/** Backends latentlab can run on (`tensorflow` is the tfjs-node native backend). */
export type BackendName = "tensorflow" | "webgpu" | "wasm" | "cpu";

/** All values accepted by `LATENTLAB_BACKEND` / {@linkcode InitBackendOptions.backend}. */
export const BACKEND_NAMES: readonly BackendName[] = ["tensorflow", "webgpu", "wasm", "cpu"];

/** Options of {@linkcode initBackend}. */
export interface InitBackendOptions {
  /** Force a backend (default: `LATENTLAB_BACKEND`, else automatic choice). `"auto"` = automatic. */
  backend?: BackendName | "auto";
  /** Print nothing (default false: one line on stderr the first time a backend is chosen). */
  quiet?: boolean;
}

/** What {@linkcode initBackend} chose and why. */
export interface BackendInfo {
  /** Active tfjs backend name. */
  name: BackendName;
  /** Why it was chosen (forced, or which earlier candidates were skipped and why). */
  reason: string;
  /** Whether it was forced by the option or the environment variable. */
  forced: boolean;
  /** Names of latentlab's kernels registered for this backend (empty when none). */
  customKernels: string[];
  /** For `wasm`: whether the SIMD binary is used (undefined for other backends). */
  simd?: boolean;
}

const cache = new Map<string, Promise<BackendInfo>>();
const announced = new Set<BackendName>();

function readEnvBackend(): string | undefined {
  try {
    const value = Deno.env.get("LATENTLAB_BACKEND");
    return value && value.trim() !== "" ? value.trim().toLowerCase() : undefined;
  } catch {
    return undefined; // no --allow-env
  }
}

function parseRequest(value: string | undefined): BackendName | "auto" {
  if (value === undefined || value === "auto") return "auto";
  const aliases: Record<string, BackendName> = {
    node: "tensorflow",
    "tfjs-node": "tensorflow",
    "node-gpu": "tensorflow",
  };
  const name = aliases[value] ?? value;
  if (!(BACKEND_NAMES as readonly string[]).includes(name)) {
    throw new InputError(`LATENTLAB_BACKEND: "${value}" is not one of auto, ${BACKEND_NAMES.join(", ")}`);
  }
  return name as BackendName;
}

/**
 * Picks, initialises and activates a tfjs backend; returns what was chosen. Safe to call many times:
 * the same request returns the same result without re-registering kernels, and each backend is
 * announced (one line on stderr) at most once per process.
 * Rejects with {@linkcode InputError} for an unknown forced name and `Error` when a forced backend
 * fails. Also sets tfjs's `PROD` flag (it only silences tfjs warnings, among them a misleading
 * "install tfjs-node" banner).
 */
export function initBackend(options: InitBackendOptions = {}): Promise<BackendInfo> {
  let request: BackendName | "auto";
  try {
    request = parseRequest(options.backend ?? readEnvBackend());
  } catch (error) {
    return Promise.reject(error);
  }
  let pending = cache.get(request);
  if (!pending) {
    pending = choose(request, options.quiet ?? false);
    cache.set(request, pending);
    pending.catch(() => cache.delete(request));
  } else {
    pending = pending.then(async (info) => {
      if (tf.getBackend() !== info.name) await tf.setBackend(info.name);
      return info;
    });
  }
  return pending;
}

async function choose(request: BackendName | "auto", quiet: boolean): Promise<BackendInfo> {
  // tfjs-core's "production" flag only silences warnings, among them the misleading "install
  // tfjs-node" banner that the cpu backend prints on first use under Deno.
  tf.env().set("PROD", true);
  const forced = request !== "auto";
  const skipped: string[] = [];
  const order: BackendName[] = forced ? [request] : ["tensorflow", "webgpu", "wasm", "cpu"];
  for (const name of order) {
    const why = await tryBackend(name);
    if (why !== undefined) {
      if (forced) throw new Error(`backend ${name} was forced but cannot start: ${why}`);
      skipped.push(`${name}: ${why}`);
      continue;
    }
    const info: BackendInfo = {
      name,
      forced,
      reason: forced
        ? "forced by option or LATENTLAB_BACKEND"
        : skipped.length
        ? `skipped ${skipped.join("; ")}`
        : "first choice",
      customKernels: name === "wasm" ? registerWasmKernels() : [],
    };
    if (name === "wasm") info.simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT") as boolean;
    if (!quiet && !announced.has(name)) {
      announced.add(name);
      report(info);
    }
    return info;
  }
  throw new Error("no tfjs backend could be initialised");
}

function report(info: BackendInfo): void {
  if (info.name === "cpu") {
    console.error(
      "latentlab: WARNING: tfjs backend = cpu (pure JavaScript): conv training is ~100-300x slower than wasm " +
        `(${info.reason})`,
    );
    return;
  }
  const extra = info.name === "wasm"
    ? ` (${info.simd ? "SIMD" : "no SIMD"}, ${info.customKernels.length} latentlab kernels)`
    : "";
  console.error(`latentlab: tfjs backend = ${info.name}${extra}; ${info.reason}`);
}

/** Returns undefined when `name` is now the active backend, else why it cannot be used. */
async function tryBackend(name: BackendName): Promise<string | undefined> {
  try {
    switch (name) {
      case "tensorflow":
        return await tryTfjsNode();
      case "webgpu":
        return await tryWebGpu();
      case "wasm":
        registerWasmKernels(); // before the first wasm op runs
        return (await tf.setBackend("wasm")) ? undefined : "initialisation failed";
      case "cpu":
        return (await tf.setBackend("cpu")) ? undefined : "initialisation failed";
    }
  } catch (error) {
    return error instanceof Error ? error.message.split("\n")[0] : String(error);
  }
}

/**
 * tfjs-node(-gpu) is not a dependency (its install downloads libtensorflow, unreachable here). It is
 * used only when a user added it (`node_modules/@tensorflow/tfjs-node*` present) and its addon loads;
 * the specifier is computed so that `deno check` and the lockfile never see it.
 */
async function tryTfjsNode(): Promise<string | undefined> {
  const reasons: string[] = [];
  for (const pkg of ["tfjs-node-gpu", "tfjs-node"]) {
    const manifest = new URL(`../../node_modules/@tensorflow/${pkg}/package.json`, import.meta.url);
    let version: string;
    try {
      version = JSON.parse(await Deno.readTextFile(manifest)).version;
    } catch {
      reasons.push(`${pkg} not installed`);
      continue;
    }
    try {
      const specifier = ["npm:@tensorflow", `${pkg}@${version}`].join("/");
      await import(specifier);
      if (await tf.setBackend("tensorflow")) return undefined;
      reasons.push(`${pkg} did not initialise`);
    } catch (error) {
      reasons.push(
        `${pkg} addon did not load (${error instanceof Error ? error.message.split("\n")[0] : error})`,
      );
    }
  }
  return reasons.join(", ");
}

interface AdapterLike {
  isFallbackAdapter?: boolean;
  info?: { isFallbackAdapter?: boolean; description?: string; device?: string; vendor?: string };
}

async function tryWebGpu(): Promise<string | undefined> {
  const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<AdapterLike | null> } }).gpu;
  if (!gpu) return "navigator.gpu is unavailable";
  const adapter = await gpu.requestAdapter();
  if (!adapter) return "no adapter";
  if (adapter.isFallbackAdapter || adapter.info?.isFallbackAdapter) {
    return "only a software (fallback) adapter";
  }
  await import("@tensorflow/tfjs-backend-webgpu");
  return (await tf.setBackend("webgpu")) ? undefined : "initialisation failed";
}
