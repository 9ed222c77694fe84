/**
 * `deno task cluster -d <orig dataset> -i <latent dataset> -n <classes file> -c <config> -o <out> [--complete]`
 *
 * Three partitions of the dataset images, each evaluated as produced, in pixel space:
 * - S1 `NEW SPACE`: k-medians on the latent vectors (`-i`);
 * - S2 `ORIGINAL SPACE`: k-medians on the pixels (`-d`);
 * - S3 `CLASSES AS CLUSTERS`: the classifier's classes file (`-n`; empty classes are left out).
 *
 * For each: the clusters' pixel-space medians (`centroid`), the exact L1 silhouette per cluster and
 * overall, and the objective Σ L1 from each image to its cluster's pixel median. `clustering_time` is
 * the k-medians run (seeding + iterations) for S1 and S2, and reading + validating the classes file
 * for S3 (the classifier's own time is reported by `classify`). The config file holds
 * `number_of_clusters: k` and optionally `max_iterations: N` and `seed: N`. See
 * `lib/cluster/output.ts` for the output format. Progress goes to stderr.
 * @module
 */
import { defineTool, runMain } from "./_run.ts";
import { InputError } from "../errors.ts";
import { readImages, readLatent } from "../data/idx.ts";
import { readClassesFile } from "../data/classes_file.ts";
import { writeFileAtomic } from "../io/atomic.ts";
import { readClusterConfig } from "../cluster/config.ts";
import { kMedians, type KMediansIteration } from "../cluster/kmedians.ts";
import { evaluatePartition } from "../cluster/evaluate.ts";
import { type ClusterSection, formatClusterOutput, type SectionTitle } from "../cluster/output.ts";
import { type PointSet, pointsFromImages, pointsFromLatent } from "../cluster/points.ts";

function progress(message: string): void {
  console.error(`cluster: ${message}`);
}

interface Partition {
  title: SectionTitle;
  assignment: Int32Array;
  ids: number[];
  seconds: number;
}

async function evaluateSection(
  pixels: PointSet,
  partition: Partition,
  complete: boolean,
): Promise<ClusterSection> {
  const k = partition.ids.length;
  const evaluation = await evaluatePartition(pixels, partition.assignment, { k });
  const silhouette = evaluation.silhouette;
  progress(
    `${partition.title}: silhouette ${silhouette.overall.toFixed(6)} (${silhouette.method}, ` +
      `${silhouette.seconds.toFixed(2)} s), objective ${evaluation.objective}`,
  );
  const members: number[][] | undefined = complete ? partition.ids.map(() => []) : undefined;
  if (members) {
    for (let i = 0; i < partition.assignment.length; i++) members[partition.assignment[i]].push(i);
  }
  return {
    title: partition.title,
    clusters: partition.ids.map((id, c) => ({
      id,
      size: evaluation.sizes[c],
      centroid: Array.from(evaluation.medians.subarray(c * pixels.dim, (c + 1) * pixels.dim)),
      members: members?.[c],
    })),
    clusteringTime: partition.seconds,
    silhouette: [...silhouette.clusters, silhouette.overall],
    objective: evaluation.objective,
  };
}

function iterationLogger(label: string): (step: KMediansIteration) => void {
  return (step) => {
    if (step.iteration === 1 || step.iteration % 10 === 0) {
      progress(`${label} iteration ${step.iteration}: objective ${step.objective}, ${step.changed} moved`);
    }
  };
}

/** The `cluster` tool. */
export const clusterTool = defineTool({
  name: "cluster",
  summary: "k-medians (L1) on latent vectors (S1) and on pixels (S2), and the classifier's classes (S3), " +
    "each evaluated in pixel space: medians, exact L1 silhouette and objective. Output sections NEW SPACE, " +
    "ORIGINAL SPACE, CLASSES AS CLUSTERS. Config: number_of_clusters: k (required), max_iterations: N " +
    "(default 100), seed: N (default 0).",
  flags: {
    dataset: {
      names: ["-d", "--dataset"],
      kind: "input",
      required: true,
      description: "Dataset images (IDX uint8)",
    },
    latent: {
      names: ["-i", "--latent"],
      kind: "input",
      required: true,
      description: "Latent vectors of the same images (IDX int16)",
    },
    classes: {
      names: ["-n", "--classes"],
      kind: "input",
      required: true,
      description: "Classes file of the same images (from classify)",
    },
    config: {
      names: ["-c", "--config"],
      kind: "input",
      required: true,
      description: "Configuration file",
    },
    out: { names: ["-o", "--out"], kind: "output", required: true, description: "Output file" },
    complete: {
      names: ["--complete", "-complete"],
      kind: "boolean",
      description: "Also list each cluster's members: `, members: [i1, ...]` (0-based image indices)",
    },
  },
  async run(flags) {
    const { out } = flags;
    const started = performance.now();
    const images = await readImages(flags.dataset);
    const pixels = pointsFromImages(images);
    const latentSet = await readLatent(flags.latent);
    if (latentSet.count !== images.count) {
      throw new InputError(
        `${flags.latent}: ${latentSet.count} latent vectors, but ${flags.dataset} has ${images.count} images`,
      );
    }
    const latent = pointsFromLatent(latentSet);
    const classesStart = performance.now();
    const classes = await readClassesFile(flags.classes, { expectedCount: images.count });
    const classesSeconds = (performance.now() - classesStart) / 1000;
    const config = await readClusterConfig(flags.config, { pointCount: images.count });
    const nonEmpty = classes.members.map((m, j) => ({ id: classes.classIds[j], members: m })).filter((c) =>
      c.members.length > 0
    );
    if (nonEmpty.length < 2) {
      throw new InputError(`${flags.classes}: needs at least 2 non-empty classes for a silhouette`);
    }
    if (nonEmpty.length < classes.classIds.length) {
      progress(`${flags.classes}: ${classes.classIds.length - nonEmpty.length} empty classes left out`);
    }
    progress(
      `${images.count} images (${images.rows}x${images.cols}), latent dim ${latent.dim}, ` +
        `k = ${config.numberOfClusters}, seed ${config.seed}, max_iterations ${config.maxIterations}`,
    );
    const ids = Array.from({ length: config.numberOfClusters }, (_, c) => c);
    const sections: ClusterSection[] = [];
    const runs: Array<[SectionTitle, PointSet, string]> = [
      ["NEW SPACE", latent, "S1 (latent)"],
      ["ORIGINAL SPACE", pixels, "S2 (pixels)"],
    ];
    for (const [title, points, label] of runs) {
      const result = await kMedians(points, {
        k: config.numberOfClusters,
        seed: config.seed,
        maxIterations: config.maxIterations,
        onIteration: iterationLogger(label),
      });
      progress(
        `${label}: ${result.iterations} iterations (${
          result.converged ? "converged" : "hit max_iterations"
        }), ` +
          `${result.seconds.toFixed(2)} s, objective in its own space ${result.objective}`,
      );
      sections.push(
        await evaluateSection(
          pixels,
          { title, assignment: result.assignment, ids, seconds: result.seconds },
          flags.complete,
        ),
      );
    }
    const classAssignment = new Int32Array(images.count);
    nonEmpty.forEach((c, index) => {
      for (const i of c.members) classAssignment[i] = index;
    });
    sections.push(
      await evaluateSection(pixels, {
        title: "CLASSES AS CLUSTERS",
        assignment: classAssignment,
        ids: nonEmpty.map((c) => c.id),
        seconds: classesSeconds,
      }, flags.complete),
    );
    await writeFileAtomic(out, formatClusterOutput({ sections }));
    progress(`wrote ${out} in ${((performance.now() - started) / 1000).toFixed(2)} s`);
  },
});

if (import.meta.main) await runMain(clusterTool);
