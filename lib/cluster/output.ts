/**
 * The `cluster` tool's output file: three sections, `NEW SPACE` (S1: k-medians on latent vectors),
 * `ORIGINAL SPACE` (S2: k-medians on pixels) and `CLASSES AS CLUSTERS` (S3: the classifier's classes
 * file), each
 *
 * ```
 * NEW SPACE
 * CLUSTER-0 {size: 892, centroid: [0, 0, 13, ...]}
 * CLUSTER-1 {size: 685, centroid: [...]}
 * clustering_time: 1.0213
 * Silhouette: [0.059, 0.116, ..., 0.0857]
 * Value of Objective Function: 150667047
 * ```
 *
 * separated by a blank line. Every section is evaluated in pixel space: `centroid` is the cluster's
 * coordinate-wise (lower) median of the pixels (integers 0..255), `Silhouette` lists the mean
 * silhouette of each cluster in CLUSTER order and then the mean over all points, and the objective is
 * Σ L1 from each image to its cluster's pixel median. Cluster ids are 0-based (for S3: the class ids
 * of the classes file). With `--complete`, each CLUSTER line ends with `, members: [i1, i2, ...]`, the
 * 0-based indices of its images in the dataset file, ascending.
 * @module
 */
import { InputError } from "../errors.ts";
import { readTextInput } from "../data/idx.ts";

/** The section titles, in file order. */
export const SECTION_TITLES = ["NEW SPACE", "ORIGINAL SPACE", "CLASSES AS CLUSTERS"] as const;

/** One section title. */
export type SectionTitle = typeof SECTION_TITLES[number];

/** One cluster line. */
export interface ClusterLine {
  /** Cluster id (the `<i>` of `CLUSTER-<i>`). */
  id: number;
  /** Number of members. */
  size: number;
  /** The cluster's centroid (pixel-space median). */
  centroid: number[];
  /** Member indices (only in `--complete` output). */
  members?: number[];
}

/** One section of the output. */
export interface ClusterSection {
  /** Which partition. */
  title: SectionTitle;
  /** Its clusters. */
  clusters: ClusterLine[];
  /** Seconds it took to produce the partition. */
  clusteringTime: number;
  /** Mean silhouette per cluster (in cluster order), then the overall mean: `clusters.length + 1` values. */
  silhouette: number[];
  /** Σ L1 from each point to its cluster's median. */
  objective: number;
}

/** A whole output file. */
export interface ClusterOutput {
  /** Sections in file order. */
  sections: ClusterSection[];
}

function formatList(values: ArrayLike<number>): string {
  return `[${Array.from(values, (v) => String(v)).join(", ")}]`;
}

/** Formats one section (without the trailing blank line). */
export function formatClusterSection(section: ClusterSection): string {
  const lines: string[] = [section.title];
  for (const cluster of section.clusters) {
    const members = cluster.members ? `, members: ${formatList(cluster.members)}` : "";
    lines.push(
      `CLUSTER-${cluster.id} {size: ${cluster.size}, centroid: ${formatList(cluster.centroid)}${members}}`,
    );
  }
  lines.push(`clustering_time: ${section.clusteringTime}`);
  lines.push(`Silhouette: ${formatList(section.silhouette)}`);
  lines.push(`Value of Objective Function: ${section.objective}`);
  return lines.join("\n");
}

/** Formats an output file: the sections separated by blank lines, newline-terminated. */
export function formatClusterOutput(output: ClusterOutput): string {
  return output.sections.map(formatClusterSection).join("\n\n") + "\n";
}

const NUMBER = String.raw`-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?`;
const LIST = String.raw`\[\s*(?:${NUMBER}\s*(?:,\s*${NUMBER}\s*)*)?\]`;
const CLUSTER_LINE = new RegExp(
  String
    .raw`^CLUSTER-(\d+)\s*\{\s*size\s*:\s*(\d+)\s*,\s*centroid\s*:\s*(${LIST})\s*(?:,\s*members\s*:\s*(${LIST})\s*)?\}$`,
);

function parseList(text: string): number[] {
  const inner = text.trim().slice(1, -1).trim();
  return inner === "" ? [] : inner.split(",").map((s) => Number(s.trim()));
}

/**
 * Parses an output file; `name` (the path) prefixes every error. Each section must hold at least one
 * CLUSTER line, then `clustering_time`, `Silhouette` (one value per cluster plus the total) and
 * `Value of Objective Function`, in that order; a `members` list must have `size` entries.
 */
export function parseClusterOutput(text: string, name: string): ClusterOutput {
  const sections: ClusterSection[] = [];
  let current: Partial<ClusterSection> & { clusters: ClusterLine[] } | undefined;
  let stage = "";
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const where = `${name}:${index + 1}`;
    const line = raw.trim();
    if (line === "") return;
    if ((SECTION_TITLES as readonly string[]).includes(line)) {
      if (current && stage !== "done") {
        throw new InputError(`${where}: section ${current.title} is incomplete`);
      }
      if (sections.some((s) => s.title === line)) {
        throw new InputError(`${where}: section ${line} appears twice`);
      }
      current = { title: line as SectionTitle, clusters: [] };
      stage = "clusters";
      return;
    }
    if (!current) throw new InputError(`${where}: expected a section title (${SECTION_TITLES.join(", ")})`);
    const cluster = CLUSTER_LINE.exec(line);
    if (cluster) {
      if (stage !== "clusters") throw new InputError(`${where}: CLUSTER line after the section's summary`);
      const entry: ClusterLine = {
        id: Number(cluster[1]),
        size: Number(cluster[2]),
        centroid: parseList(cluster[3]),
      };
      if (cluster[4] !== undefined) {
        entry.members = parseList(cluster[4]);
        if (entry.members.length !== entry.size) {
          throw new InputError(
            `${where}: CLUSTER-${entry.id} has size ${entry.size} but ${entry.members.length} members`,
          );
        }
      }
      if (current.clusters.some((c) => c.id === entry.id)) {
        throw new InputError(`${where}: CLUSTER-${entry.id} appears twice in ${current.title}`);
      }
      current.clusters.push(entry);
      return;
    }
    const field = /^([A-Za-z_ ]+?)\s*:\s*(.*)$/.exec(line);
    if (!field) throw new InputError(`${where}: cannot parse "${line.slice(0, 60)}"`);
    const [, key, value] = field;
    const expected = stage === "clusters" ? "clustering_time" : stage;
    if (key !== expected) throw new InputError(`${where}: expected "${expected}:", got "${key}:"`);
    if (key === "clustering_time" || key === "Value of Objective Function") {
      if (!new RegExp(`^${NUMBER}$`).test(value)) {
        throw new InputError(`${where}: ${key} is not a number: "${value}"`);
      }
      if (key === "clustering_time") {
        if (current.clusters.length === 0) {
          throw new InputError(`${where}: section ${current.title} has no clusters`);
        }
        current.clusteringTime = Number(value);
        stage = "Silhouette";
      } else {
        current.objective = Number(value);
        stage = "done";
        sections.push(current as ClusterSection);
      }
      return;
    }
    if (!new RegExp(`^${LIST}$`).test(value)) {
      throw new InputError(`${where}: Silhouette is not a list of numbers`);
    }
    const silhouette = parseList(value);
    if (silhouette.length !== current.clusters.length + 1) {
      throw new InputError(
        `${where}: Silhouette has ${silhouette.length} values, expected ${
          current.clusters.length + 1
        } (clusters + total)`,
      );
    }
    current.silhouette = silhouette;
    stage = "Value of Objective Function";
  });
  if (current && stage !== "done") throw new InputError(`${name}: section ${current.title} is incomplete`);
  if (sections.length === 0) throw new InputError(`${name}: no sections`);
  return { sections };
}

/** Reads and parses an output file (a file that cannot be read is an InputError, see `readTextInput`). */
export async function readClusterOutput(path: string): Promise<ClusterOutput> {
  return parseClusterOutput(await readTextInput(path), path);
}
