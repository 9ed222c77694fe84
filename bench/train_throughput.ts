/**
 * `deno task bench:train`: training throughput (images/s; batch 128, Adam lr 1e-3, MSE, 28×28×1,
 * warm-up excluded) of the "cheap" and "ref" conv autoencoders on the active tfjs backend, in one
 * process and data-parallel on Workers, plus encoder inference images/s; and, when /usr/bin/python3
 * has torch, the same models in PyTorch (1 thread) in the same run, with ours/PyTorch ratios.
 * The measurements are interleaved (ours 1 process, ours on Workers, PyTorch, ours encoder; repeated
 * `--reps` times, medians reported) so that other load on the machine hits all of them alike; the
 * load average and images per CPU-second are recorded too. Prints a table and writes
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
import { FusedAdamOptimizer } from "../lib/nn/kernels/adam.ts";
import { createDataParallelTrainer, type DataParallelTrainer } from "../lib/nn/data_parallel.ts";
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

  constructor(batch: number) {
    this.#process = new Deno.Command(PYTHON, {
      args: [TORCH_SCRIPT, "--serve", "--threads", "1", "--batch", String(batch)],
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
    "Workers) vs PyTorch 1 thread, interleaved.",
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
      default: 2,
      min: 0,
      max: 8,
      description: "Workers for the data-parallel run (0 = skip)",
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
    const { batch, seconds, reps, workers } = flags;
    const canTorch = await torchAvailable();
    if (flags.torch === "yes" && !canTorch) {
      throw new InputError(`--torch yes: ${PYTHON} cannot import torch`);
    }
    const withTorch = flags.torch !== "no" && canTorch;
    const backend = await initBackend();
    const torch = withTorch ? new TorchServer(batch) : undefined;
    await torch?.start();
    const report: Record<string, unknown> = {
      date: new Date().toISOString(),
      deno: Deno.version.deno,
      torch: torch?.version ?? null,
      backend,
      hardwareConcurrency: navigator.hardwareConcurrency,
      settings: {
        batch,
        seconds,
        reps,
        workers,
        optimizer: "Adam lr 1e-3 (ours: FusedAdamOptimizer, fused on wasm; torch: torch.optim.Adam)",
        loss: "mse",
        input: [28, 28, 1],
      },
      method:
        "interleaved: ours 1 process, ours on Workers, PyTorch 1 thread, ours encoder; medians over reps",
      loadBefore: loadavg(),
      models: {} as Record<string, unknown>,
    };
    const x = tf.randomUniform([batch, 28, 28, 1], 0, 1, "float32", 1);
    const rows: string[][] = [];
    try {
      for (const name of names) {
        const model = buildReferenceModel(name);
        const optimizer = new FusedAdamOptimizer({ learningRate: 1e-3 });
        const step = () => {
          const loss = optimizer.minimize(
            () =>
              tf.losses.meanSquaredError(
                x,
                model.autoencoder.apply(x, { training: true }) as tf.Tensor,
              ) as tf.Scalar,
            true,
          )!;
          loss.dataSync();
          loss.dispose();
        };
        const infer = () => {
          const z = model.encoder.predict(x, { batchSize: batch }) as tf.Tensor;
          z.dataSync();
          z.dispose();
        };
        let trainer: DataParallelTrainer | undefined;
        const samples = { train: [] as Sample[], parallel: [] as Sample[], encoder: [] as Sample[] };
        const torchSamples = { train: [] as Sample[], encoder: [] as Sample[] };
        try {
          // Warm-up: wasm runs in a slow tier for the first 1-2 s.
          for (let i = 0; i < 3; i++) step(), infer();
          await measure(step, batch, 1);
          await measure(infer, batch, 0.5);
          if (workers > 0) {
            trainer = await createDataParallelTrainer(model.autoencoder, { workers });
            const dp = trainer;
            await measure(async () => void await dp.step(x), batch, 1.5);
          }
          if (torch) await torch.measure(name, 0.5);
          for (let r = 0; r < reps; r++) {
            samples.train.push(await measure(step, batch, seconds));
            if (trainer) {
              const dp = trainer;
              samples.parallel.push(await measure(async () => void await dp.step(x), batch, seconds));
            }
            if (torch) {
              const t = await torch.measure(name, seconds);
              torchSamples.train.push(t.train);
              torchSamples.encoder.push(t.encoder);
            }
            samples.encoder.push(await measure(infer, batch, seconds / 2));
          }
        } finally {
          trainer?.dispose();
          optimizer.dispose();
        }
        const train = summarise(samples.train);
        const parallel = trainer ? summarise(samples.parallel) : undefined;
        const encoder = summarise(samples.encoder);
        const torchTrain = torch ? summarise(torchSamples.train) : undefined;
        const torchEncoder = torch ? summarise(torchSamples.encoder) : undefined;
        const ratio = (ours: number | undefined, theirs: number | undefined) =>
          ours === undefined || theirs === undefined ? null : ours / theirs;
        const entry = {
          params: model.autoencoder.countParams(),
          train,
          dataParallel: parallel ? { workers, ...parallel } : null,
          encoder,
          torch1Thread: torchTrain ? { train: torchTrain, encoder: torchEncoder } : null,
          ratioTrainSingleProcess: ratio(train.median, torchTrain?.median),
          ratioTrainDataParallel: ratio(parallel?.median, torchTrain?.median),
          ratioEncoder: ratio(encoder.median, torchEncoder?.median),
          ratioTrainPerCpuSecond: ratio(train.perCpuSecond, torchTrain?.perCpuSecond),
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
          fmt(torchTrain?.median),
          times(entry.ratioTrainSingleProcess),
          times(entry.ratioTrainDataParallel),
          fmt(encoder.median),
          fmt(torchEncoder?.median),
          times(entry.ratioEncoder),
          times(entry.ratioTrainPerCpuSecond),
          entry.dataParallelCpuEfficiency === null ? "-" : entry.dataParallelCpuEfficiency.toFixed(2),
        ]);
        model.autoencoder.dispose();
      }
    } finally {
      x.dispose();
      await torch?.close();
    }
    report.loadAfter = loadavg();
    const header = [
      "model",
      `train ${backend.name}`,
      `train ${workers} workers`,
      "train torch",
      "ratio 1p",
      `ratio ${workers}w`,
      "encoder",
      "encoder torch",
      "ratio enc",
      "ratio/cpu-s",
      `${workers}w cpu eff`,
    ];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (cells: string[]) =>
      cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
    console.log(
      `images/s, batch ${batch}, medians of ${reps} interleaved runs of ${seconds} s; torch = PyTorch ` +
        `${torch?.version ?? "(not run)"}, 1 thread; ratio/cpu-s = ours (1 process) vs torch in images per ` +
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
