/**
 * `deno run -A bench/train_throughput_profile.ts [--model cheap|ref|ae] [--batch 128] [--steps 30]
 * [--conv-layers 2 --filters 16,32 --kernel-size 5 --latent-dim 10] [--classifier]`: one training
 * step of a conv autoencoder (or, with `--classifier`, of the encoder + dense head classifier),
 * profiled op by op on the active tfjs backend. Every registered kernel of the backend is wrapped by a
 * timer, so the table gives the wall time per kernel name (and per input shape with `--shapes`), the
 * number of calls, and what remains outside the kernels (tfjs engine, tape, JavaScript).
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import { parseArgs } from "node:util";
import { printHelpIfAsked } from "./_help.ts";
import { initBackend } from "../lib/nn/backend.ts";
import { FusedAdamOptimizer } from "../lib/nn/kernels/adam.ts";
import { buildReferenceModel, type ReferenceModelName } from "../lib/nn/reference_models.ts";
import { Autoencoder } from "../lib/nn/autoencoder.ts";
import { Classifier } from "../lib/nn/classifier.ts";

printHelpIfAsked(import.meta.url);
const { values: args } = parseArgs({
  options: {
    model: { type: "string", default: "cheap" },
    batch: { type: "string", default: "128" },
    steps: { type: "string", default: "30" },
    "conv-layers": { type: "string", default: "2" },
    filters: { type: "string", default: "16,32" },
    "kernel-size": { type: "string", default: "3" },
    "latent-dim": { type: "string", default: "10" },
    classifier: { type: "boolean", default: false },
    shapes: { type: "boolean", default: false },
  },
});

const backend = await initBackend();
const batch = Number(args.batch);
const steps = Number(args.steps);

interface Entry {
  ms: number;
  calls: number;
}
const byKernel = new Map<string, Entry>();
let profiling = false;
for (const config of tf.getKernelsForBackend(backend.name)) {
  const inner = config.kernelFunc;
  tf.unregisterKernel(config.kernelName, backend.name);
  tf.registerKernel({
    ...config,
    kernelFunc: (params) => {
      if (!profiling) return inner(params);
      const started = performance.now();
      const out = inner(params);
      const ms = performance.now() - started;
      let key = config.kernelName;
      if (args.shapes) {
        key += " " +
          Object.values(params.inputs).filter((t) => t).map((t) => `[${(t as tf.TensorInfo).shape}]`).join(
            " ",
          );
      }
      const entry = byKernel.get(key) ?? { ms: 0, calls: 0 };
      entry.ms += ms;
      entry.calls++;
      byKernel.set(key, entry);
      return out;
    },
  });
}

let model: tfl.LayersModel;
let label: string;

if (args.model === "ae" || args.classifier) {
  const ae = Autoencoder.create({
    convLayers: Number(args["conv-layers"]),
    filters: args.filters!.split(",").map(Number),
    kernelSize: Number(args["kernel-size"]),
    latentDim: Number(args["latent-dim"]),
  });
  model = ae.model;
  label = `ae ${args["conv-layers"]}L ${args.filters} k${args["kernel-size"]} latent ${args["latent-dim"]}`;
  if (args.classifier) {
    model = Classifier.fromAutoencoder(ae).model;
    label = `classifier on ${label}`;
  }
} else {
  model = buildReferenceModel(args.model as ReferenceModelName).autoencoder;
  label = args.model!;
}
const params = model.countParams();
const x = tf.randomUniform([batch, 28, 28, 1], 0, 1, "float32", 1);
const y = args.classifier
  ? tf.cast(tf.oneHot(tf.randomUniform([batch], 0, 10, "int32", 2), 10), "float32")
  : x;
const optimizer = new FusedAdamOptimizer({ learningRate: 1e-3 });
const step = () => {
  const loss = optimizer.minimize(() => {
    const p = model.apply(x, { training: true }) as tf.Tensor;
    if (!args.classifier) return tf.losses.meanSquaredError(y, p) as tf.Scalar;
    return tf.neg(tf.mean(tf.sum(tf.mul(y, tf.log(tf.clipByValue(p, 1e-7, 1 - 1e-7))), -1))) as tf.Scalar;
  }, true)!;
  loss.dataSync();
  loss.dispose();
};
for (let i = 0; i < 10; i++) step();
const warm = performance.now();
while (performance.now() - warm < 1500) step();
const plainStart = performance.now();
for (let i = 0; i < steps; i++) step();
const plainMs = (performance.now() - plainStart) / steps;
profiling = true;
const started = performance.now();
for (let i = 0; i < steps; i++) step();
const wallMs = (performance.now() - started) / steps;
profiling = false;

const rows = [...byKernel.entries()].sort((a, b) => b[1].ms - a[1].ms);
const kernelMs = rows.reduce((s, [, e]) => s + e.ms, 0) / steps;
console.log(
  `${label} (${params} weights), batch ${batch}, backend ${backend.name}: ${plainMs.toFixed(2)} ms/step ` +
    `unprofiled (${(batch / plainMs * 1000).toFixed(0)} img/s), ${wallMs.toFixed(2)} ms/step profiled, ` +
    `of which kernels ${kernelMs.toFixed(2)} ms; load ${Deno.loadavg().map((v) => v.toFixed(2)).join(" ")}`,
);
console.log(
  `${"kernel".padEnd(args.shapes ? 70 : 28)} ${"ms/step".padStart(8)} ${"%".padStart(6)} calls/step`,
);
for (const [name, e] of rows) {
  const ms = e.ms / steps;
  if (ms < 0.005) continue;
  console.log(
    `${name.padEnd(args.shapes ? 70 : 28)} ${ms.toFixed(3).padStart(8)} ${
      (100 * ms / wallMs).toFixed(1).padStart(6)
    } ${(e.calls / steps).toFixed(1)}`,
  );
}
console.log(
  `${"(outside kernels)".padEnd(args.shapes ? 70 : 28)} ${(wallMs - kernelMs).toFixed(3).padStart(8)} ${
    (100 * (wallMs - kernelMs) / wallMs).toFixed(1).padStart(6)
  }`,
);
