/**
 * k-NN peers from Python, for comparisons on the same data: faiss `IndexFlat(d, METRIC_L1)` (exact 1-NN)
 * and pynndescent (metric manhattan, default build parameters, a sweep over the query `epsilon`). The
 * work is done by `lib/search/_knn_peers.py` run with the system Python (`/usr/bin/python3` by default,
 * Debian packages `python3-faiss` and `python3-pynndescent`); this module checks what is installed,
 * runs the script and returns its result typed.
 *
 * ```ts
 * const peers = await knnPeersAvailable();
 * if (peers.pynndescent) {
 *   const result = await runKnnPeers(files.trainImages, files.testImages, {
 *     faiss: false,
 *     nndQueries: 500,
 *     nndEpsilons: [0, 0.1, 0.2],
 *   });
 *   for (const point of result.pynndescent!.points) console.log(point.epsilon, point.msPerQuery);
 * } else console.log(peers.reason);
 * ```
 * @module
 */
import { fileURLToPath } from "node:url";

/** The Python that runs the peers by default (the system one, where the Debian packages install). */
export const DEFAULT_PEERS_PYTHON = "/usr/bin/python3";

/** Path of the peers script, `lib/search/_knn_peers.py`. */
export const KNN_PEERS_SCRIPT: string = fileURLToPath(new URL("./_knn_peers.py", import.meta.url));

/** Options for {@linkcode knnPeersAvailable}. */
export interface KnnPeersAvailableOptions {
  /** Python interpreter to check. Default {@linkcode DEFAULT_PEERS_PYTHON}. */
  python?: string;
}

/** Which peers the Python can run, from {@linkcode knnPeersAvailable}. */
export interface KnnPeersAvailability {
  /** numpy and faiss are installed. */
  faiss: boolean;
  /** numpy and pynndescent are installed. */
  pynndescent: boolean;
  /** Installed versions by module name (`numpy`, `faiss`, `pynndescent`), where known. */
  versions: Record<string, string>;
  /** One line saying what is missing and how to install it; absent when both peers are there. */
  reason?: string;
}

const INSTALL_HINT: Record<string, string> = {
  numpy: "apt-get install python3-numpy",
  faiss: "apt-get install python3-faiss",
  pynndescent: "apt-get install python3-pynndescent",
};

const FIND_MODULES = `
import importlib.util, json
found, versions = {}, {}
for name, dist in (("numpy", "numpy"), ("faiss", "faiss"), ("pynndescent", "pynndescent")):
    try:
        found[name] = importlib.util.find_spec(name) is not None
    except Exception:
        found[name] = False
    if found[name]:
        try:
            import importlib.metadata as md
            versions[name] = md.version(dist)
        except Exception:
            pass
print(json.dumps({"found": found, "versions": versions}))
`;

/**
 * Checks which peers `python` can run: whether numpy, faiss and pynndescent are installed (found by
 * `importlib.util.find_spec`, without importing them: importing pynndescent loads numba, seconds). Never
 * throws; when the interpreter cannot be run, both peers are `false` and `reason` says why.
 */
export async function knnPeersAvailable(
  options: KnnPeersAvailableOptions = {},
): Promise<KnnPeersAvailability> {
  const python = options.python ?? DEFAULT_PEERS_PYTHON;
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(python, {
      args: ["-c", FIND_MODULES],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (error) {
    return {
      faiss: false,
      pynndescent: false,
      versions: {},
      reason: `cannot run ${python}: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  if (!output.success) {
    return {
      faiss: false,
      pynndescent: false,
      versions: {},
      reason: `${python} failed (exit ${output.code}): ${tail(new TextDecoder().decode(output.stderr))}`,
    };
  }
  const { found, versions } = JSON.parse(new TextDecoder().decode(output.stdout)) as {
    found: Record<string, boolean>;
    versions: Record<string, string>;
  };
  const missing = ["numpy", "faiss", "pynndescent"].filter((name) => !found[name]);
  return {
    faiss: found.numpy && found.faiss,
    pynndescent: found.numpy && found.pynndescent,
    versions,
    ...(missing.length > 0
      ? {
        reason: `${python} lacks ${missing.join(" and ")} (${
          missing.map((name) => INSTALL_HINT[name]).join("; ")
        })`,
      }
      : {}),
  };
}

/** Options for {@linkcode runKnnPeers}. */
export interface KnnPeersOptions {
  /** Python interpreter. Default {@linkcode DEFAULT_PEERS_PYTHON}. */
  python?: string;
  /** The peers script. Default {@linkcode KNN_PEERS_SCRIPT}. */
  script?: string;
  /** Run faiss. Default true. */
  faiss?: boolean;
  /** Queries searched by faiss (the first ones). Default 1000. */
  faissQueries?: number;
  /** Run pynndescent. Default true. */
  pynndescent?: boolean;
  /** Queries searched by pynndescent (the first ones). Default 10000. */
  nndQueries?: number;
  /**
   * Query `epsilon`s, each searched on the same index (one {@linkcode PynndescentPoint} each, in this
   * order). Default `[0.1]`, pynndescent's default.
   */
  nndEpsilons?: number[];
  /** pynndescent's `n_jobs` (numba threads of the build). Default 2. */
  nndJobs?: number;
  /**
   * pynndescent's `parallel_batch_queries`: spread a batch of queries over the numba threads. Default
   * false (pynndescent's default: queries on one thread).
   */
  nndParallelQueries?: boolean;
  /** Timed repetitions of every search (the median is reported). Default 3. */
  reps?: number;
  /** Timed repetitions of the faiss search. Default `reps`. */
  faissReps?: number;
  /** Also copy the script's stderr (warnings) to this process's stderr as it arrives. Default false. */
  echoStderr?: boolean;
  /** Aborts the run (the Python process is killed). */
  signal?: AbortSignal;
}

/** Nearest neighbours of the first `queries` queries (first neighbour only). */
export interface PeerNeighbours {
  /** Queries searched. */
  queries: number;
  /** Seconds of every timed repetition. */
  runsS: number[];
  /** Median of `runsS`. */
  medianS: number;
  /** Milliseconds per query (median run). */
  msPerQuery: number;
  /** CPU seconds of the process (all threads) in every timed repetition. */
  cpuRunsS: number[];
  /** CPU milliseconds per query (median run): less inflated than `msPerQuery` on a busy machine. */
  cpuMsPerQuery: number;
  /** L1 distance of each query's returned neighbour (0 where the index is -1). */
  distances: Uint32Array;
  /** Data index of each query's returned neighbour (-1 where none was returned). */
  indices: Int32Array;
}

/** faiss `IndexFlat(d, METRIC_L1)`: exact 1-NN. */
export interface FaissPeerResult extends PeerNeighbours {
  /** faiss version. */
  version: string;
  /** OpenMP threads faiss used. */
  threads: number;
}

/** pynndescent queried with one `epsilon`. */
export interface PynndescentPoint extends PeerNeighbours {
  /** The query `epsilon` (larger: more accurate, slower). */
  epsilon: number;
}

/** pynndescent: one index, queried once per epsilon; the neighbour fields are the epsilon 0.1 run. */
export interface PynndescentPeerResult extends PeerNeighbours {
  /** pynndescent version. */
  version: string;
  /** Build and query parameters (metric, random_state, n_jobs, parallel_batch_queries, query_k, query_epsilon). */
  params: Record<string, string | number | boolean>;
  /** Seconds of the JIT warm-up (a small index built and queried once before the timed build). */
  jitWarmupS: number;
  /** Seconds to build and prepare the index on all data images. */
  buildS: number;
  /** One point per requested epsilon, in the requested order. */
  points: PynndescentPoint[];
}

/** Result of {@linkcode runKnnPeers}. */
export interface KnnPeersResult {
  /** Data images. */
  n: number;
  /** Pixels per image. */
  dim: number;
  /** faiss, unless turned off. */
  faiss?: FaissPeerResult;
  /** pynndescent, unless turned off. */
  pynndescent?: PynndescentPeerResult;
  /** Load averages (1, 5, 15 min) when the script started. */
  loadBefore: number[];
  /** Load averages when it ended. */
  loadAfter: number[];
}

interface RawNeighbours {
  queries: number;
  runs_s: number[];
  median_s: number;
  ms_per_query: number;
  cpu_runs_s: number[];
  cpu_ms_per_query: number;
  distances: number[];
  indices: number[];
}

interface RawOutput {
  n: number;
  dim: number;
  load_before: number[];
  load_after: number[];
  faiss_version?: string;
  faiss_threads?: number;
  faiss?: RawNeighbours;
  pynndescent_version?: string;
  pynndescent?: RawNeighbours & {
    params: Record<string, string | number | boolean>;
    jit_warmup_s: number;
    build_s: number;
  };
  pynndescent_points?: (RawNeighbours & { epsilon: number })[];
}

function neighbours(raw: RawNeighbours): PeerNeighbours {
  return {
    queries: raw.queries,
    runsS: raw.runs_s,
    medianS: raw.median_s,
    msPerQuery: raw.ms_per_query,
    cpuRunsS: raw.cpu_runs_s,
    cpuMsPerQuery: raw.cpu_ms_per_query,
    distances: Uint32Array.from(raw.distances, (d, q) => (raw.indices[q] >= 0 ? d : 0)),
    indices: Int32Array.from(raw.indices, (i) => (i >= 0 ? i : -1)),
  };
}

/** The last non-empty lines of `text`, on one line, at most `max` characters. */
function tail(text: string, max = 400): string {
  const lines = text.split("\n").map((line) => line.trim()).filter((line) => line !== "");
  let out = "";
  for (let i = lines.length - 1; i >= 0 && i >= lines.length - 3; i--) {
    const next = out === "" ? lines[i] : `${lines[i]} | ${out}`;
    if (next.length > max) break;
    out = next;
  }
  if (out === "" && lines.length > 0) out = "…" + lines[lines.length - 1].slice(-max);
  return out === "" ? "(no stderr)" : out;
}

function checkCount(name: string, value: number | undefined, min: number): void {
  if (value !== undefined && !(Number.isInteger(value) && value >= min)) {
    throw new RangeError(`runKnnPeers: ${name} must be an integer >= ${min}, got ${value}`);
  }
}

/**
 * Runs faiss and/or pynndescent (see {@linkcode KnnPeersOptions}) on the uint8 IDX image files
 * `trainImagesPath` (the data set) and `queryImagesPath` (the queries; plain or gzip) and returns their
 * first neighbours and timings. Throws an `Error` with one line (including the tail of the script's
 * stderr) when Python cannot be run, the script fails, or its output is not the expected JSON.
 */
export async function runKnnPeers(
  trainImagesPath: string,
  queryImagesPath: string,
  options: KnnPeersOptions = {},
): Promise<KnnPeersResult> {
  const python = options.python ?? DEFAULT_PEERS_PYTHON;
  const script = options.script ?? KNN_PEERS_SCRIPT;
  checkCount("faissQueries", options.faissQueries, 1);
  checkCount("nndQueries", options.nndQueries, 1);
  checkCount("nndJobs", options.nndJobs, 1);
  checkCount("reps", options.reps, 1);
  checkCount("faissReps", options.faissReps, 1);
  const epsilons = options.nndEpsilons;
  if (epsilons !== undefined && (epsilons.length === 0 || epsilons.some((e) => !(e >= 0)))) {
    throw new RangeError(`runKnnPeers: nndEpsilons must be a non-empty list of numbers >= 0`);
  }
  const args = [script, trainImagesPath, queryImagesPath];
  if (options.faiss === false) args.push("--no-faiss");
  if (options.pynndescent === false) args.push("--no-nnd");
  if (options.faissQueries !== undefined) args.push("--faiss-queries", String(options.faissQueries));
  if (options.nndQueries !== undefined) args.push("--nnd-queries", String(options.nndQueries));
  if (epsilons !== undefined) args.push("--nnd-epsilons", epsilons.join(","));
  if (options.nndJobs !== undefined) args.push("--nnd-jobs", String(options.nndJobs));
  if (options.nndParallelQueries) args.push("--nnd-parallel-queries");
  if (options.reps !== undefined) args.push("--reps", String(options.reps));
  if (options.faissReps !== undefined) args.push("--faiss-reps", String(options.faissReps));

  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(python, {
      args,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: options.signal,
    }).spawn();
  } catch (error) {
    throw new Error(
      `knn peers: cannot run ${python}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const decoder = new TextDecoder();
  let stderrText = "";
  const readStderr = (async () => {
    for await (const chunk of child.stderr) {
      if (options.echoStderr) await Deno.stderr.write(chunk);
      stderrText += decoder.decode(chunk, { stream: true });
      if (stderrText.length > 65536) stderrText = stderrText.slice(-32768);
    }
  })();
  const [status, stdoutBuffer] = await Promise.all([
    child.status,
    new Response(child.stdout).arrayBuffer(),
    readStderr,
  ]);
  const stdout = new TextDecoder().decode(stdoutBuffer);
  const name = script.split(/[\\/]/).pop();
  if (!status.success) {
    const how = status.signal ? `signal ${status.signal}` : `exit ${status.code}`;
    throw new Error(`knn peers: ${python} ${name} failed (${how}): ${tail(stderrText)}`);
  }
  let raw: RawOutput;
  try {
    raw = JSON.parse(stdout);
  } catch {
    throw new Error(
      `knn peers: ${name} printed no JSON (stdout: ${JSON.stringify(stdout.slice(0, 120))}); stderr: ${
        tail(stderrText)
      }`,
    );
  }
  const result: KnnPeersResult = {
    n: raw.n,
    dim: raw.dim,
    loadBefore: raw.load_before,
    loadAfter: raw.load_after,
  };
  if (raw.faiss) {
    result.faiss = {
      ...neighbours(raw.faiss),
      version: raw.faiss_version ?? "unknown",
      threads: raw.faiss_threads ?? NaN,
    };
  }
  if (raw.pynndescent) {
    result.pynndescent = {
      ...neighbours(raw.pynndescent),
      version: raw.pynndescent_version ?? "unknown",
      params: raw.pynndescent.params,
      jitWarmupS: raw.pynndescent.jit_warmup_s,
      buildS: raw.pynndescent.build_s,
      points: (raw.pynndescent_points ?? []).map((point) => ({
        ...neighbours(point),
        epsilon: point.epsilon,
      })),
    };
  }
  return result;
}
