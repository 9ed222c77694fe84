/**
 * `deno task bench:cluster [--datasets mnist-sample,fashion-mnist] [--reps 3] [--skip-peer] [--skip-cli]`
 *
 * Our k-medians (pixels, k = 10) and exact L1 silhouette against the peers, on the same data in the
 * same run: pyclustering 0.10.1.2 `kmedians` (C++ core built from shared/anchors/build_ccore.sh, with
 * the #708 fix so that its medians are coordinate-wise; see bench/cluster_peer.py) and scikit-learn's
 * `silhouette_score(metric="manhattan")`. Also our k-medians started from pyclustering's own k-means++
 * medians (same start for both), and the whole `cluster` tool (S1, S2, S3 with silhouettes) on the
 * dataset with seeded stand-ins for task A's outputs (latent = random projection to 10 dims, classes =
 * true labels). Above `--sil-max-n` points scikit-learn runs on a random subset and its time for all
 * points is extrapolated by (n/m)², labelled as such; ours is computed on all points and on the subset.
 *
 * Writes `results/bench/cluster_<dataset>.json` and prints a table with ratios. Timings depend on the
 * machine's load, which is recorded (load average before and after).
 * @module
 */
import { join } from "node:path";
import { existsSync } from "node:fs";
import { MAX_COUNT, MAX_SEED, parseFlags, runTool } from "../lib/cli/mod.ts";
import { resolveDataset } from "../lib/data/datasets.ts";
import { PROJECT_ROOT } from "../lib/util/project_root.ts";
import { readImages, readLabels, writeLatent } from "../lib/data/idx.ts";
import { classesFromAssignment, writeClassesFile } from "../lib/data/classes_file.ts";
import { writeFileAtomic } from "../lib/io/atomic.ts";
import { kMedians, type KMediansResult } from "../lib/cluster/kmedians.ts";
import { silhouetteL1, type SilhouetteResult } from "../lib/cluster/silhouette.ts";
import { pointsFromImages, selectPoints } from "../lib/cluster/points.ts";
import { purity } from "../lib/cluster/agreement.ts";
import { randomProjectionLatentSet } from "../lib/data/stand_in.ts";
import { clusterTool } from "../lib/cli/cluster.ts";
import { printHelpIfAsked } from "./_help.ts";

printHelpIfAsked(import.meta.url);

const { values: flags } = parseFlags(Deno.args, {
  datasets: {
    names: ["--datasets"],
    kind: "string",
    default: "mnist-sample,fashion-mnist",
    description: "",
  },
  k: { names: ["--k"], kind: "integer", default: 10, min: 2, max: 100_000, description: "" },
  seed: { names: ["--seed"], kind: "integer", default: 0, min: 0, max: MAX_SEED, description: "" },
  reps: { names: ["--reps"], kind: "integer", default: 3, min: 1, max: 1000, description: "our repetitions" },
  variants: { names: ["--peer-variants"], kind: "string", default: "fixed", description: "" },
  silMaxN: {
    names: ["--sil-max-n"],
    kind: "integer",
    default: 10000,
    min: 2,
    max: MAX_COUNT,
    description: "",
  },
  silSample: {
    names: ["--sil-sample"],
    kind: "integer",
    default: 8000,
    min: 2,
    max: MAX_COUNT,
    description: "",
  },
  skipPeer: { names: ["--skip-peer"], kind: "boolean", description: "" },
  skipCli: { names: ["--skip-cli"], kind: "boolean", description: "" },
  python: { names: ["--python"], kind: "string", default: "/usr/bin/python3", description: "" },
  anchors: {
    names: ["--anchors"],
    kind: "string",
    default: join(PROJECT_ROOT, "..", "shared", "anchors"),
    description: "",
  },
  outDir: {
    names: ["--out-dir"],
    kind: "string",
    default: join(PROJECT_ROOT, "results", "bench"),
    description: "",
  },
});

const outDir = flags.outDir;
await Deno.mkdir(outDir, { recursive: true });

function log(message: string): void {
  console.error(`bench:cluster: ${message}`);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const m = sorted.length;
  return m % 2 ? sorted[(m - 1) / 2] : (sorted[m / 2 - 1] + sorted[m / 2]) / 2;
}

function signedPercent(fraction: number): string {
  return `${fraction >= 0 ? "+" : ""}${(fraction * 100).toFixed(3)} %`;
}

/** CPU seconds used so far by this process, all threads (Workers included), from /proc/self/stat. */
function cpuSeconds(): number {
  const fields = Deno.readTextFileSync("/proc/self/stat").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in 1/100 s (CLK_TCK)
}

async function withCpu<T>(task: () => Promise<T>): Promise<[T, number]> {
  const start = cpuSeconds();
  const value = await task();
  return [value, cpuSeconds() - start];
}

function loadAverage(): number[] {
  try {
    return Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).map(Number);
  } catch {
    return [];
  }
}

async function run(command: string, args: string[]): Promise<void> {
  const child = new Deno.Command(command, { args, stdout: "inherit", stderr: "inherit" }).spawn();
  const status = await child.status;
  if (!status.success) throw new Error(`${command} ${args.join(" ")} exited with ${status.code}`);
}

/** Builds pyclustering's C++ core (copy of shared/anchors, since shared/ may be read-only). */
async function ensureCcore(): Promise<string> {
  const copy = join(outDir, "anchors");
  const lib = join(copy, "build", "libpyclustering_fixed.so");
  if (existsSync(lib)) return join(copy, "build");
  log(`building pyclustering's C++ core in ${copy}`);
  await run("cp", ["-r", flags.anchors, copy]);
  await run("sh", [join(copy, "build_ccore.sh")]);
  return join(copy, "build");
}

interface PeerResult {
  n: number;
  init_s?: number;
  initial_medians?: number[][];
  kmedians_fixed?: { time_s: number; cpu_s: number; objective: number; cluster_sizes: number[] };
  kmedians_upstream?: { time_s: number; cpu_s: number; objective: number; cluster_sizes: number[] };
  silhouette?: {
    value: number;
    exact_all_points: boolean;
    m: number;
    time_s: number;
    cpu_s: number;
    time_all_points_s: number;
    cpu_all_points_s: number;
    time_all_points_kind: string;
    subset: number[] | null;
  };
  load_before: number[];
  load_after: number[];
}

function summary(result: KMediansResult) {
  return {
    seconds: result.seconds,
    seeding_seconds: result.seedingSeconds,
    objective: result.objective,
    iterations: result.iterations,
    converged: result.converged,
    sizes: Array.from(result.sizes),
    history: result.history.map((h) => [h.iteration, h.objective, h.changed, Number(h.seconds.toFixed(4))]),
  };
}

function silhouetteSummary(s: SilhouetteResult) {
  return { value: s.overall, seconds: s.seconds, method: s.method, per_cluster: Array.from(s.clusters) };
}

const rows: string[][] = [];

for (const name of flags.datasets.split(",").filter((s) => s !== "")) {
  const files = await resolveDataset(name);
  const images = await readImages(files.trainImages);
  const labels = await readLabels(files.trainLabels, images.count);
  const points = pointsFromImages(images);
  const k = flags.k;
  const seed = flags.seed;
  const report: Record<string, unknown> = {
    dataset: name,
    file: files.trainImages,
    n: images.count,
    dim: points.dim,
    k,
    seed,
    deno: Deno.version.deno,
    cpus: navigator.hardwareConcurrency,
    load_before: loadAverage(),
    started: new Date().toISOString(),
  };
  log(`${name}: ${images.count} x ${points.dim}, load ${loadAverage().join(" ")}`);

  // Ours: k-medians on pixels, repeated (the first run includes WebAssembly/JIT warm-up).
  const runs: KMediansResult[] = [];
  const runsCpu: number[] = [];
  for (let rep = 0; rep < flags.reps; rep++) {
    const [result, cpu] = await withCpu(() => kMedians(points, { k, seed }));
    runs.push(result);
    runsCpu.push(cpu);
    log(
      `ours k-medians run ${rep + 1}: ${
        result.seconds.toFixed(2)
      } s, ${result.iterations} iterations, objective ${result.objective}`,
    );
  }
  const ours = runs[0];
  if (runs.some((r) => r.objective !== ours.objective)) throw new Error("k-medians is not deterministic");
  const oursTime = median(runs.map((r) => r.seconds));
  const oursCpu = median(runsCpu);
  report.ours_kmedians = {
    ...summary(ours),
    runs_s: runs.map((r) => r.seconds),
    runs_cpu_s: runsCpu,
    time_s_median: oursTime,
    cpu_s_median: oursCpu,
  };
  report.ours_purity = purity(ours.assignment, labels);

  const silhouettes: SilhouetteResult[] = [];
  const silhouettesCpu: number[] = [];
  for (let rep = 0; rep < flags.reps; rep++) {
    const [result, cpu] = await withCpu(() => silhouetteL1(points, ours.assignment, { k }));
    silhouettes.push(result);
    silhouettesCpu.push(cpu);
    log(
      `ours silhouette run ${rep + 1}: ${silhouettes.at(-1)!.seconds.toFixed(3)} s, value ${
        silhouettes[0].overall
      }`,
    );
  }
  const silTime = median(silhouettes.map((s) => s.seconds));
  const silCpu = median(silhouettesCpu);
  report.ours_silhouette = {
    ...silhouetteSummary(silhouettes[0]),
    runs_s: silhouettes.map((s) => s.seconds),
    runs_cpu_s: silhouettesCpu,
    time_s_median: silTime,
    cpu_s_median: silCpu,
  };
  if (images.count <= flags.silMaxN) {
    const pairwise = await silhouetteL1(points, ours.assignment, { k, method: "pairwise" });
    report.ours_silhouette_pairwise = silhouetteSummary(pairwise);
    log(
      `ours silhouette, pairwise O(n²) method: ${pairwise.seconds.toFixed(2)} s, value ${pairwise.overall}`,
    );
    if (Math.abs(pairwise.overall - silhouettes[0].overall) > 1e-12) {
      throw new Error("table and pairwise differ");
    }
  }

  rows.push([
    name,
    "ours k-medians (pixels)",
    `${oursTime.toFixed(2)} s (cpu ${oursCpu.toFixed(2)} s)`,
    `objective ${ours.objective}`,
    `${ours.iterations} it`,
  ]);
  rows.push([
    name,
    "ours exact silhouette",
    `${silTime.toFixed(3)} s (cpu ${silCpu.toFixed(2)} s)`,
    `value ${silhouettes[0].overall.toFixed(6)}`,
    "",
  ]);

  if (!flags.skipPeer) {
    const libDir = await ensureCcore();
    const labelsPath = join(outDir, `.cluster_${name}_labels.i32`);
    const peerPath = join(outDir, `.cluster_${name}_peer.json`);
    await Deno.writeFile(labelsPath, new Uint8Array(ours.assignment.buffer));
    log(
      `running the peers (pyclustering ${flags.variants}, scikit-learn silhouette), load ${
        loadAverage().join(" ")
      }`,
    );
    await run(flags.python, [
      join(PROJECT_ROOT, "bench", "cluster_peer.py"),
      "--images",
      files.trainImages,
      "--labels",
      labelsPath,
      "--k",
      String(k),
      "--seed",
      String(seed),
      "--variants",
      flags.variants,
      "--lib-dir",
      libDir,
      "--sil-max-n",
      String(flags.silMaxN),
      "--sil-sample",
      String(flags.silSample),
      "--out",
      peerPath,
    ]);
    const peer = JSON.parse(await Deno.readTextFile(peerPath)) as PeerResult;
    await Deno.remove(labelsPath);
    await Deno.remove(peerPath);
    const { subset, ...peerSilhouette } = peer.silhouette ?? { subset: null };
    report.peer = { ...peer, silhouette: peerSilhouette, initial_medians: undefined };

    if (peer.initial_medians) {
      const start = Uint8Array.from(peer.initial_medians.flat());
      const [same, sameCpu] = await withCpu(() => kMedians(points, { k, initialMedians: start }));
      report.ours_kmedians_from_peer_init = { ...summary(same), cpu_s: sameCpu };
      log(
        `ours from pyclustering's initial medians: ${same.seconds.toFixed(2)} s, objective ${same.objective}`,
      );
      const fixed = peer.kmedians_fixed;
      if (fixed) {
        report.ratio_kmedians_fixed_same_start = {
          time_peer_over_ours: fixed.time_s / same.seconds,
          cpu_peer_over_ours: fixed.cpu_s / sameCpu,
          objective_ours_vs_peer_percent: (same.objective / fixed.objective - 1) * 100,
        };
      }
      rows.push([
        name,
        "ours k-medians, peer's start",
        `${same.seconds.toFixed(2)} s (cpu ${sameCpu.toFixed(2)} s)`,
        `objective ${same.objective}`,
        `${same.iterations} it` +
        (fixed
          ? `; vs pyclustering, same start: ${(fixed.time_s / same.seconds).toFixed(1)}x faster (cpu ${
            (fixed.cpu_s / sameCpu).toFixed(1)
          }x), objective ${signedPercent(same.objective / fixed.objective - 1)}`
          : ""),
      ]);
    }
    for (const variant of ["fixed", "upstream"] as const) {
      const p = peer[`kmedians_${variant}`];
      if (!p) continue;
      const ratio = p.time_s / oursTime;
      const cpuRatio = p.cpu_s / oursCpu;
      const excess = (ours.objective / p.objective - 1) * 100;
      report[`ratio_kmedians_${variant}`] = {
        time_peer_over_ours: ratio,
        cpu_peer_over_ours: cpuRatio,
        objective_ours_vs_peer_percent: excess,
      };
      rows.push([
        name,
        `pyclustering kmedians (${variant})`,
        `${p.time_s.toFixed(2)} s (cpu ${p.cpu_s.toFixed(1)} s)`,
        `objective ${p.objective}`,
        `ours ${ratio.toFixed(1)}x faster (cpu ${cpuRatio.toFixed(1)}x), objective ${
          signedPercent(excess / 100)
        }` +
        (variant === "upstream" ? " (its medians are not coordinate-wise, #708)" : ""),
      ]);
    }
    if (peer.silhouette) {
      const s = peer.silhouette;
      let oursOnSubset: SilhouetteResult | undefined;
      if (subset) {
        const subsetLabels = Int32Array.from(subset, (i) => ours.assignment[i]);
        oursOnSubset = await silhouetteL1(selectPoints(points, subset), subsetLabels, { k });
        report.ours_silhouette_on_peer_subset = silhouetteSummary(oursOnSubset);
      }
      const comparable = oursOnSubset ?? silhouettes[0];
      const difference = Math.abs(comparable.overall - s.value);
      const ratio = s.time_all_points_s / silTime;
      const cpuRatio = s.cpu_all_points_s / silCpu;
      report.ratio_silhouette = {
        time_peer_over_ours_all_points: ratio,
        cpu_peer_over_ours_all_points: cpuRatio,
        peer_time_kind: s.time_all_points_kind,
        value_abs_difference_same_points: difference,
      };
      rows.push([
        name,
        `sklearn silhouette (${s.m} points)`,
        `${s.time_s.toFixed(2)} s (cpu ${s.cpu_s.toFixed(1)} s)`,
        `value ${s.value.toFixed(6)} (ours on same points: |diff| ${difference.toExponential(1)})`,
        s.exact_all_points
          ? `ours ${ratio.toFixed(0)}x faster (cpu ${cpuRatio.toFixed(0)}x)`
          : `all ${images.count}: ${s.time_all_points_s.toFixed(0)} s extrapolated, ours ${
            ratio.toFixed(0)
          }x faster (cpu ${cpuRatio.toFixed(0)}x)`,
      ]);
    }
  }

  if (!flags.skipCli) {
    // The whole `cluster` tool, with seeded stand-ins for task A's latent and classes files.
    const dir = await Deno.makeTempDir({ prefix: "bench_cluster_" });
    try {
      await writeLatent(join(dir, "latent.idx"), randomProjectionLatentSet(images, { dim: 10, seed }));
      await writeClassesFile(join(dir, "classes.txt"), classesFromAssignment(labels));
      await Deno.writeTextFile(join(dir, "cluster.conf"), `number_of_clusters: ${k}\nseed: ${seed}\n`);
      const started = performance.now();
      const cpuStart = cpuSeconds();
      const code = await runTool(clusterTool, [
        "-d",
        files.trainImages,
        "-i",
        join(dir, "latent.idx"),
        "-n",
        join(dir, "classes.txt"),
        "-c",
        join(dir, "cluster.conf"),
        "-o",
        join(dir, "out.txt"),
      ]);
      const seconds = (performance.now() - started) / 1000;
      const cpu = cpuSeconds() - cpuStart;
      if (code !== 0) throw new Error(`cluster exited with ${code}`);
      report.cluster_tool = {
        seconds,
        cpu_s: cpu,
        note: "stand-ins: latent = seeded random projection to 10 dims, classes = true labels",
      };
      rows.push([
        name,
        "whole `cluster` run (S1+S2+S3)",
        `${seconds.toFixed(1)} s (cpu ${cpu.toFixed(1)} s)`,
        "stand-in latent/classes",
        "",
      ]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }
  report.load_after = loadAverage();
  report.finished = new Date().toISOString();
  const path = join(outDir, `cluster_${name}.json`);
  await writeFileAtomic(path, JSON.stringify(report, null, 1) + "\n");
  log(`wrote ${path}`);
}

const widths = [0, 1, 2, 3, 4].map((c) => Math.max(...rows.map((r) => r[c].length)));
console.log(rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c])).join(" | ")).join("\n"));
