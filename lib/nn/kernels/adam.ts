/**
 * A fused Adam update for the tfjs `wasm` backend: one SIMD pass per variable instead of the ~18
 * kernel launches per variable of `tf.train.adam`, with the same float32 operations in the same
 * order, so the weights are the same as with tfjs's AdamOptimizer (tested to match). Two forms:
 * - {@linkcode FusedAdamOptimizer}, a drop-in `tf.Optimizer` (`optimizer.minimize(...)`,
 *   `model.compile({ optimizer })`), which uses tfjs's own Adam on other backends;
 * - {@linkcode createFusedAdam}, for a fixed variable list and one flat gradient array (the
 *   data-parallel workers).
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import type { TensorInfo } from "@tensorflow/tfjs-core";
import { free, heapF32 } from "./_wasm.ts";
import { pointer, type SimdKernels, simdKernels } from "./_simd.ts";

/** Adam hyperparameters (defaults: tfjs's). */
export interface FusedAdamOptions {
  /** Learning rate (default 1e-3). */
  learningRate?: number;
  /** beta1 (default 0.9). */
  beta1?: number;
  /** beta2 (default 0.999). */
  beta2?: number;
  /** epsilon (default 1e-7, tfjs's backend epsilon). */
  epsilon?: number;
}

/** Adam state for a fixed list of variables. */
export interface FusedAdam {
  /**
   * Applies one step; `gradients` holds every variable's gradient back to back, in list order.
   * `learningRate` overrides the creation-time rate for this step (learning-rate schedules).
   */
  applyGradients(gradients: Float32Array, learningRate?: number): void;
  /**
   * Applies one step whose gradient `fill` writes into the array it is given (all variables back to
   * back, in list order; a view of the wasm heap, valid only during the call): no extra copy.
   */
  applyFilled(fill: (gradient: Float32Array) => void, learningRate?: number): void;
  /** Frees the moment buffers. */
  dispose(): void;
}

interface Moments {
  m: TensorInfo;
  v: TensorInfo;
}

/** Shared state and the per-variable update. */
class AdamCore {
  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  // tfjs keeps beta^t in float32 variables and computes 1 - beta^t in float32.
  #accBeta1: number;
  #accBeta2: number;

  constructor(options: FusedAdamOptions) {
    this.learningRate = options.learningRate ?? 1e-3;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-7;
    this.#accBeta1 = Math.fround(this.beta1);
    this.#accBeta2 = Math.fround(this.beta2);
  }

  static moments(backend: BackendWasm, size: number): Moments {
    const m = backend.makeOutput([size], "float32");
    const v = backend.makeOutput([size], "float32");
    heapF32(backend, m).fill(0);
    heapF32(backend, v).fill(0);
    return { m, v };
  }

  /** Writes the new value of `variable` (gradient at heap offset `gradient`) and assigns it. */
  update(
    backend: BackendWasm,
    simd: SimdKernels,
    variable: tf.Variable,
    gradient: number,
    moments: Moments,
    learningRate = this.learningRate,
  ): void {
    const out = backend.makeOutput(variable.shape, "float32");
    simd.adam(
      pointer(backend, variable),
      gradient,
      pointer(backend, moments.m),
      pointer(backend, moments.v),
      pointer(backend, out),
      variable.size,
      this.beta1,
      1 - this.beta1,
      this.beta2,
      1 - this.beta2,
      Math.fround(1 - this.#accBeta1),
      Math.fround(1 - this.#accBeta2),
      this.epsilon,
      -learningRate,
    );
    const value = tf.engine().makeTensorFromTensorInfo(out);
    variable.assign(value);
    value.dispose();
  }

  /** Advances beta^t after all variables of a step are updated. */
  endStep(): void {
    this.#accBeta1 = Math.fround(this.#accBeta1 * Math.fround(this.beta1));
    this.#accBeta2 = Math.fround(this.#accBeta2 * Math.fround(this.beta2));
  }
}

function activeWasm(): { backend: BackendWasm; simd: SimdKernels } | undefined {
  if (tf.getBackend() !== "wasm") return undefined;
  const backend = tf.backend() as unknown as BackendWasm;
  const simd = simdKernels(backend);
  return simd ? { backend, simd } : undefined;
}

/**
 * Adam as a `tf.Optimizer`: fused on the `wasm` backend (with the SIMD helper module), tfjs's own
 * `AdamOptimizer` elsewhere. Stay on one backend for the optimizer's lifetime. Its state cannot be
 * saved with `getWeights()` (not needed by latentlab).
 */
export class FusedAdamOptimizer extends tf.Optimizer {
  /** Class name for tfjs serialization. */
  static className = "FusedAdam";
  #core: AdamCore;
  #moments = new Map<string, Moments>();
  #fallback: tf.AdamOptimizer | undefined;
  #backend: BackendWasm | undefined;

  /** Creates the optimizer; see {@linkcode FusedAdamOptions} for the defaults. */
  constructor(options: FusedAdamOptions = {}) {
    super();
    this.#core = new AdamCore(options);
  }

  /** Applies one Adam step to the named variables. */
  applyGradients(variableGradients: tf.NamedTensorMap | { name: string; tensor: tf.Tensor }[]): void {
    const entries: Array<[string, tf.Tensor | null]> = Array.isArray(variableGradients)
      ? variableGradients.map((g) => [g.name, g.tensor])
      : Object.entries(variableGradients);
    const wasm = this.#fallback ? undefined : activeWasm();
    if (!wasm) {
      const c = this.#core;
      this.#fallback ??= tf.train.adam(c.learningRate, c.beta1, c.beta2, c.epsilon);
      const named = entries.filter(([, tensor]) => tensor != null).map(([name, tensor]) => ({
        name,
        tensor: tensor!,
      }));
      this.#fallback.applyGradients(named);
      this.incrementIterations();
      return;
    }
    this.#backend = wasm.backend;
    for (const [name, gradient] of entries) {
      if (gradient == null) continue;
      const variable = tf.engine().registeredVariables[name];
      if (!variable) throw new Error(`FusedAdamOptimizer: no variable named ${name}`);
      let moments = this.#moments.get(name);
      if (!moments) {
        moments = AdamCore.moments(wasm.backend, variable.size);
        this.#moments.set(name, moments);
      }
      const g = gradient.dtype === "float32" ? gradient : tf.cast(gradient, "float32");
      this.#core.update(wasm.backend, wasm.simd, variable, pointer(wasm.backend, g), moments);
      if (g !== gradient) g.dispose();
    }
    this.#core.endStep();
    this.incrementIterations();
  }

  /** Frees the optimizer state. */
  override dispose(): void {
    if (this.#backend) { for (const { m, v } of this.#moments.values()) free(this.#backend, m, v); }
    this.#moments.clear();
    this.#fallback?.dispose();
    super.dispose();
  }

  /** Hyperparameters (tfjs serialization). */
  getConfig(): tf.serialization.ConfigDict {
    const c = this.#core;
    return { learningRate: c.learningRate, beta1: c.beta1, beta2: c.beta2, epsilon: c.epsilon };
  }
}

/**
 * Creates a fused Adam for `variables` when the active backend is `wasm` with the SIMD helper
 * module; returns undefined otherwise (use `tf.train.adam`).
 */
export function createFusedAdam(
  variables: tf.Variable[],
  options: FusedAdamOptions = {},
): FusedAdam | undefined {
  const wasm = activeWasm();
  if (!wasm) return undefined;
  const { backend, simd } = wasm;
  const core = new AdamCore(options);
  const sizes = variables.map((v) => v.size);
  const total = sizes.reduce((a, b) => a + b, 0);
  const moments = sizes.map((size) => AdamCore.moments(backend, size));
  let disposed = false;
  return {
    applyGradients(gradients: Float32Array, learningRate?: number): void {
      if (gradients.length !== total) {
        throw new Error(`FusedAdam: expected ${total} gradient values, got ${gradients.length}`);
      }
      this.applyFilled((out) => out.set(gradients), learningRate);
    },
    applyFilled(fill: (gradient: Float32Array) => void, learningRate?: number): void {
      if (disposed) throw new Error("FusedAdam: used after dispose()");
      const flat = backend.makeOutput([total], "float32");
      fill(heapF32(backend, flat));
      const base = pointer(backend, flat);
      let offset = 0;
      variables.forEach((variable, i) => {
        core.update(backend, simd, variable, base + offset * 4, moments[i], learningRate);
        offset += sizes[i];
      });
      free(backend, flat);
      core.endStep();
    },
    dispose(): void {
      if (disposed) return;
      disposed = true;
      for (const { m, v } of moments) free(backend, m, v);
    },
  };
}

/** Adam hyperparameters, all given. */
export type AdamSpec = Required<FusedAdamOptions>;

/** Adam on a flat gradient: fused on wasm, tfjs's AdamOptimizer elsewhere. */
export interface FlatAdam {
  /** Applies the flat gradient (variables back to back) with this learning rate. */
  apply(gradient: Float32Array, learningRate: number): void;
  /** Applies the flat gradient that `fill` writes into the array it is given (a heap view on wasm). */
  applyFilled(fill: (gradient: Float32Array) => void, learningRate: number): void;
  /** Frees the state. */
  dispose(): void;
}

/** A {@linkcode FlatAdam} for `variables` on the active backend. */
export function createFlatAdam(variables: tf.Variable[], spec: AdamSpec): FlatAdam {
  const fused = createFusedAdam(variables, spec);
  if (fused) {
    return {
      apply: (g, lr) => fused.applyGradients(g, lr),
      applyFilled: (fill, lr) => fused.applyFilled(fill, lr),
      dispose: () => fused.dispose(),
    };
  }
  const optimizer = tf.train.adam(spec.learningRate, spec.beta1, spec.beta2, spec.epsilon);
  const scratch = new Float32Array(variables.reduce((n, v) => n + v.size, 0));
  return {
    applyFilled(fill: (gradient: Float32Array) => void, learningRate: number): void {
      fill(scratch);
      this.apply(scratch, learningRate);
    },
    apply(gradient: Float32Array, learningRate: number): void {
      (optimizer as unknown as { learningRate: number }).learningRate = learningRate;
      const named: Array<{ name: string; tensor: tf.Tensor }> = [];
      let offset = 0;
      for (const variable of variables) {
        named.push({
          name: variable.name,
          tensor: tf.tensor(gradient.subarray(offset, offset + variable.size), variable.shape),
        });
        offset += variable.size;
      }
      optimizer.applyGradients(named);
      tf.dispose(named.map((entry) => entry.tensor));
    },
    dispose: () => optimizer.dispose(),
  };
}
