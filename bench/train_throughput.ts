/**
 * `deno task bench:train`: training throughput (images/s; batch 128, Adam lr 1e-3, MSE, 28×28×1,
 * warm-up excluded) of the "cheap" and "ref" conv autoencoders on the active tfjs backend, with the
 * trainer that `trainModel` uses (`lib/nn/data_parallel.ts`: batches built from uint8 pixels, fused
 * Adam) in one process (1 shard) and data-parallel on Workers (`--workers`, default all cores;
 * `--shards`, default the training default), plus encoder inference images/s; and, when
 * /usr/bin/python3 has torch, the same models in PyTorch with 1 and 2 threads (`--torch-threads`) in
 * the same run. The headline ratio is our best (1 process or Workers) over PyTorch's best thread count.
 * The measurements are interleaved (ours 1 process, ours on Workers, PyTorch per thread count, ours
 * encoder; repeated `--reps` times, medians reported) so that other load on the machine hits all of
 * them alike; the load average and images per CPU-second are recorded too. Prints a table and writes
 * `results/bench/train_throughput.json`.
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { dirname } from "node:path";
import process from "node:process";
import { defineTool, runMain } from "../lib/cli/mod.ts";
import { InputError } from "../lib/errors.ts";
import { writeFileAtomic } from "../lib/io/atomic.ts";
import { initBackend } from "../lib/nn/backend.ts";
import {
  createDataParallelTrainer,
  type DataParallelTrainer,
  DEFAULT_SHARDS,
  trainingWorkerCount,
} from "../lib/nn/data_parallel.ts";
import type { TrainingData } from "../lib/nn/training.ts";
import { createRandom, seededPermutation } from "../lib/util/random.ts";
import {
  buildReferenceModel,
  REFERENCE_MODEL_NAMES,
  type ReferenceModelName,
} from "../lib/nn/reference_models.ts";

const PYTHON = "/usr/bin/python3";
const TORCH_SCRIPT = new URL("./train_throughput_torch.py", import.meta.url).pathname;

/** One measurement: wall-clock images/s and images per CPU-second of the measuring process. */
interface Sample {
  imgPerS: number;
  imgPerCpuS: number;
}

/** Medians over the repetitions, with every run kept. */
interface Summary {
  /** Median wall-clock images/s. */
  median: number;
  /** Median images per CPU-second of the process (all its threads). */
  perCpuSecond: number;
  /** Wall-clock images/s of each repetition. */
  runs: number[];
}

function cpuSeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

/** Runs `step` (one batch of `batch` images) repeatedly for `seconds`. */
async function measure(step: () => Promise<void> | void, batch: number, seconds: number): Promise<Sample> {
  const started = performance.now();
  const cpuStarted = cpuSeconds();
  let steps = 0;
  while (performance.now() - started < seconds * 1000) {
    await step();
    steps++;
  }
  return {
    imgPerS: steps * batch / ((performance.now() - started) / 1000),
    imgPerCpuS: steps * batch / Math.max(cpuSeconds() - cpuStarted, 1e-9),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function summarise(samples: Sample[]): Summary {
  return {
    median: median(samples.map((s) => s.imgPerS)),
    perCpuSecond: median(samples.map((s) => s.imgPerCpuS)),
    runs: samples.map((s) => Math.round(s.imgPerS)),
  };
}

async function torchAvailable(): Promise<boolean> {
  try {
    const probe = await new Deno.Command(PYTHON, {
      args: ["-c", "import torch"],
      stdout: "null",
      stderr: "null",
    })
      .output();
    return probe.success;
  } catch {
    return false;
  }
}

/** The PyTorch helper in `--serve` mode: one request line, one JSON answer line. */
class TorchServer {
  #process: Deno.ChildProcess;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #lines: AsyncIterator<string>;
  version = "";

  constructor(batch: number, threads: number) {
    this.#process = new Deno.Command(PYTHON, {
      args: [TORCH_SCRIPT, "--serve", "--threads", String(threads), "--batch", String(batch)],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    this.#writer = this.#process.stdin.getWriter();
    this.#lines = this.#readLines(this.#process.stdout);
  }

  async *#readLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
    let buffered = "";
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      buffered += chunk;
      let newline;
      while ((newline = buffered.indexOf("\n")) >= 0) {
        yield buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
      }
    }
  }

  async #next(): Promise<Record<string, number | string>> {
    const line = await this.#lines.next();
    if (line.done) throw new Error("PyTorch helper exited");
    return JSON.parse(line.value);
  }

  async start(): Promise<void> {
    this.version = String((await this.#next()).torch);
  }

  /** One training and one inference measurement of `model` (the first call also builds and warms it). */
  async measure(model: string, seconds: number): Promise<{ train: Sample; encoder: Sample }> {
    await this.#writer.write(new TextEncoder().encode(`${model} ${seconds}\n`));
    const r = await this.#next() as Record<string, number>;
    return {
      train: { imgPerS: r.train_img_per_s, imgPerCpuS: r.train_img_per_cpu_s },
      encoder: { imgPerS: r.encoder_img_per_s, imgPerCpuS: r.encoder_img_per_cpu_s },
    };
  }

  async close(): Promise<void> {
    await this.#writer.close();
    await this.#process.status;
  }
}

function loadavg(): number[] {
  return Deno.loadavg().map((v) => Math.round(v * 100) / 100);
}

/** The `bench:train` tool. */
export const benchTrainTool = defineTool({
  name: "bench:train",
  summary: "Training/inference images/s of the reference conv autoencoders: tfjs (1 process and " +
    "Workers) vs PyTorch (1 and 2 threads), interleaved.",
  flags: {
    models: {
      names: ["--models"],
      kind: "string",
      default: "cheap,ref",
      description: "Comma-separated: cheap, ref",
    },
    workers: {
      names: ["--workers"],
      kind: "integer",
      default: Math.max(2, trainingWorkerCount()),
      min: 0,
      max: 16,
      description: "Workers for the data-parallel run (0 = skip; default: all cores, at least 2)",
    },
    shards: {
      names: ["--shards"],
      kind: "integer",
      default: DEFAULT_SHARDS,
      min: 1,
      max: 64,
      description: "Shards per batch of the data-parallel run (training default)",
    },
    torchThreads: {
      names: ["--torch-threads"],
      kind: "integers",
      default: [1, 2],
      min: 1,
      max: 64,
      maxItems: 8,
      description: "PyTorch thread counts to measure",
    },
    seconds: {
      names: ["--seconds"],
      kind: "number",
      default: 3,
      min: 0.2,
      max: 3600,
      description: "Seconds per measurement",
    },
    reps: {
      names: ["--reps"],
      kind: "integer",
      default: 5,
      min: 1,
      max: 1000,
      description: "Interleaved repetitions (medians reported)",
    },
    batch: {
      names: ["--batch"],
      kind: "integer",
      default: 128,
      min: 1,
      max: 65536,
      description: "Batch size",
    },
    torch: {
      names: ["--torch"],
      kind: "string",
      default: "auto",
      choices: ["auto", "yes", "no"],
      description: "Run the PyTorch reference",
    },
    out: {
      names: ["-o", "--out"],
      kind: "string",
      default: "results/bench/train_throughput.json",
      description: "JSON output",
    },
  },
  async run(flags) {
    const names = String(flags.models).split(",").map((s) => s.trim()) as ReferenceModelName[];
    for (const name of names) {
      if (!REFERENCE_MODEL_NAMES.includes(name)) throw new InputError(`--models: unknown model "${name}"`);
    }
    const { batch, seconds, reps, workers, shards } = flags;
    const threadCounts = flags.torchThreads;
    const canTorch = await torchAvailable();
    if (flags.torch === "yes" && !canTorch) {
      throw new InputError(`--torch yes: ${PYTHON} cannot import torch`);
    }
    const withTorch = flags.torch !== "no" && canTorch;
    const backend = await initBackend();
    const torches = withTorch
      ? threadCounts.map((threads) => ({ threads, server: new TorchServer(batch, threads) }))
      : [];
    for (const t of torches) await t.server.start();
    const report: Record<string, unknown> = {
      date: new Date().toISOString(),
      deno: Deno.version.deno,
      torch: torches[0]?.server.version ?? null,
      backend,
      hardwareConcurrency: navigator.hardwareConcurrency,
      settings: {
        batch,
        seconds,
        reps,
        workers,
        shards,
        torchThreads: torches.map((t) => t.threads),
        optimizer: "Adam lr 1e-3 (ours: fused Adam on wasm; torch: torch.optim.Adam)",
        loss: "mse",
        input: [28, 28, 1],
        data: "4,096 random uint8 images, batches in a seeded order (torch: one fixed random float batch)",
      },
      method: "interleaved: ours 1 process (1 shard), ours on Workers, PyTorch per thread count, ours " +
        "encoder; medians over reps",
      loadBefore: loadavg(),
      models: {} as Record<string, unknown>,
    };
    // Synthetic uint8 images, as trainModel reads them.
    const count = 4096;
    const random = createRandom(7);
    const data: TrainingData = {
      count,
      rows: 28,
      cols: 28,
      pixels: Uint8Array.from({ length: count * 784 }, () => random.int(256)),
    };
    const order = seededPermutation(count, 11);
    const batchesPerPass = Math.floor(count / batch);
    const x = tf.randomUniform([batch, 28, 28, 1], 0, 1, "float32", 1);
    const rows: string[][] = [];
    try {
      for (const name of names) {
        const model = buildReferenceModel(name);
        const single = await createDataParallelTrainer(model.autoencoder, { train: data }, {
          workers: 0,
          shards: 1,
        });
        let next = 0;
        const nextIndices = () => {
          const b = next++ % batchesPerPass;
          return order.subarray(b * batch, (b + 1) * batch);
        };
        const step = async () => void await single.step({ indices: nextIndices() });
        const infer = () => {
          const z = model.encoder.predict(x, { batchSize: batch }) as tf.Tensor;
          z.dataSync();
          z.dispose();
        };
        let trainer: DataParallelTrainer | undefined;
        const samples = { train: [] as Sample[], parallel: [] as Sample[], encoder: [] as Sample[] };
        const torchSamples = torches.map(() => ({ train: [] as Sample[], encoder: [] as Sample[] }));
        try {
          // Warm-up: wasm runs in a slow tier for the first 1-2 s.
          for (let i = 0; i < 3; i++) await step(), infer();
          await measure(step, batch, 1);
          await measure(infer, batch, 0.5);
          if (workers > 0) {
            trainer = await createDataParallelTrainer(model.autoencoder, { train: data }, {
              workers,
              shards,
            });
            const dp = trainer;
            await measure(async () => void await dp.step({ indices: nextIndices() }), batch, 1.5);
          }
          for (const t of torches) await t.server.measure(name, 0.5);
          for (let r = 0; r < reps; r++) {
            samples.train.push(await measure(step, batch, seconds));
            if (trainer) {
              const dp = trainer;
              samples.parallel.push(
                await measure(async () => void await dp.step({ indices: nextIndices() }), batch, seconds),
              );
            }
            for (const [i, t] of torches.entries()) {
              const measured = await t.server.measure(name, seconds);
              torchSamples[i].train.push(measured.train);
              torchSamples[i].encoder.push(measured.encoder);
            }
            samples.encoder.push(await measure(infer, batch, seconds / 2));
          }
        } finally {
          trainer?.dispose();
          single.dispose();
        }
        const train = summarise(samples.train);
        const parallel = trainer ? summarise(samples.parallel) : undefined;
        const encoder = summarise(samples.encoder);
        const torchTrain = torchSamples.map((t) => summarise(t.train));
        const torchEncoder = torchSamples.map((t) => summarise(t.encoder));
        const ratio = (ours: number | undefined, theirs: number | undefined) =>
          ours === undefined || theirs === undefined ? null : ours / theirs;
        const oursBest = Math.max(train.median, parallel?.median ?? 0);
        const torchBest = torchTrain.length ? Math.max(...torchTrain.map((t) => t.median)) : undefined;
        const torchBestEncoder = torchEncoder.length
          ? Math.max(...torchEncoder.map((t) => t.median))
          : undefined;
        const torch1 = torches.findIndex((t) => t.threads === 1);
        const entry = {
          params: model.autoencoder.countParams(),
          train,
          dataParallel: parallel ? { workers, shards, ...parallel } : null,
          encoder,
          torch: Object.fromEntries(
            torches.map((t, i) => [`${t.threads}thread`, { train: torchTrain[i], encoder: torchEncoder[i] }]),
          ),
          ratioTrainBest: ratio(oursBest, torchBest),
          ratioTrainSingleProcess: ratio(train.median, torchBest),
          ratioTrainDataParallel: ratio(parallel?.median, torchBest),
          ratioEncoder: ratio(encoder.median, torchBestEncoder),
          ratioTrainPerCpuSecond: torch1 >= 0
            ? ratio(train.perCpuSecond, torchTrain[torch1].perCpuSecond)
            : null,
          // Work efficiency of the Workers vs one process (images per CPU-second): on an idle machine
          // with >= `workers` cores the Workers' speed-up over one process is about workers × this.
          dataParallelCpuEfficiency: ratio(parallel?.perCpuSecond, train.perCpuSecond),
        };
        (report.models as Record<string, unknown>)[name] = entry;
        const fmt = (v: number | undefined) => v === undefined ? "-" : Math.round(v).toLocaleString("en-US");
        const times = (v: number | null) => v === null ? "-" : `${v.toFixed(2)}x`;
        rows.push([
          name,
          fmt(train.median),
          fmt(parallel?.median),
          ...torchTrain.map((t) => fmt(t.median)),
          times(entry.ratioTrainBest),
          fmt(encoder.median),
          fmt(torchBestEncoder),
          times(entry.ratioEncoder),
          times(entry.ratioTrainPerCpuSecond),
          entry.dataParallelCpuEfficiency === null ? "-" : entry.dataParallelCpuEfficiency.toFixed(2),
        ]);
        model.autoencoder.dispose();
      }
    } finally {
      x.dispose();
      for (const t of torches) await t.server.close();
    }
    report.loadAfter = loadavg();
    const header = [
      "model",
      `train ${backend.name} 1p`,
      `train ${workers}w/${shards}sh`,
      ...torches.map((t) => `torch ${t.threads}t`),
      "best/best",
      "encoder",
      "encoder torch",
      "ratio enc",
      "1p/1t per cpu-s",
      `${workers}w cpu eff`,
    ];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (cells: string[]) =>
      cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
    console.log(
      `images/s, batch ${batch}, medians of ${reps} interleaved runs of ${seconds} s; torch = PyTorch ` +
        `${
          torches[0]?.server.version ?? "(not run)"
        }; best/best = our best (1 process or ${workers} Workers) / ` +
        `PyTorch's best thread count; 1p/1t per cpu-s = ours (1 process) vs torch 1 thread in images per ` +
        `CPU-second; ${workers}w cpu eff = images per CPU-second on ${workers} Workers / in 1 process; ` +
        `load average before ${report.loadBefore} after ${report.loadAfter}`,
    );
    console.log(line(header));
    for (const row of rows) console.log(line(row));
    const out = flags.out;
    await Deno.mkdir(dirname(out), { recursive: true });
    await writeFileAtomic(out, JSON.stringify(report, null, 2) + "\n");
    console.log(`wrote ${out}`);
  },
});

if (import.meta.main) await runMain(benchTrainTool);
