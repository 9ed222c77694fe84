/**
 * Latent vectors as a Parquet table, for tools that do not read IDX (pandas, DuckDB, Spark, Polars): one
 * row per image with its `index` in the IDX file (Int32), its `label` when known (UInt8), and one Int16
 * column per latent coordinate, `z0` … `z<D-1>`, holding the same integers (0..25500) as the latent file.
 *
 * ```ts
 * await latentFileToParquet("results/latent/mnist-sample_d10_dataset.idx"); // → …_dataset.parquet
 * // python: pandas.read_parquet("results/latent/mnist-sample_d10_dataset.parquet")
 * ```
 * @module
 */
import { dirname } from "node:path";
import pl from "nodejs-polars";
import { InputError } from "../errors.ts";
import { writeFileAtomic } from "../io/atomic.ts";
import { type LatentSet, readLatent } from "./idx.ts";

/** Options for {@linkcode latentDataFrame} and the writers. */
export interface LatentTableOptions {
  /** One label per vector (e.g. the images' IDX labels): adds a `label` column. */
  labels?: ArrayLike<number>;
}

/** The latent vectors of `latent` as a DataFrame (see the module doc for the columns). */
export function latentDataFrame(latent: LatentSet, options: LatentTableOptions = {}): pl.DataFrame {
  const { count, dim, values } = latent;
  if (values.length !== count * dim) {
    throw new InputError(`latent vectors: ${values.length} values for ${count} × ${dim}`);
  }
  const columns: pl.Series[] = [pl.Series("index", Int32Array.from({ length: count }, (_, i) => i))];
  if (options.labels) {
    if (options.labels.length < count) {
      throw new InputError(`latent vectors: ${options.labels.length} labels for ${count} vectors`);
    }
    columns.push(pl.Series("label", Uint8Array.from({ length: count }, (_, i) => options.labels![i])));
  }
  for (let d = 0; d < dim; d++) {
    columns.push(pl.Series(`z${d}`, Int16Array.from({ length: count }, (_, i) => values[i * dim + d])));
  }
  return pl.DataFrame(columns);
}

/** Writes `latent` as a Parquet file at `path` (atomically, zstd-compressed, folder created). */
export async function writeLatentParquet(
  path: string,
  latent: LatentSet,
  options: LatentTableOptions = {},
): Promise<void> {
  const bytes = latentDataFrame(latent, options).writeParquet({ compression: "zstd" });
  await Deno.mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, new Uint8Array(bytes));
}

/** The Parquet path beside a latent file: `x.idx` → `x.parquet` (other names get `.parquet` appended). */
export function latentParquetPath(idxPath: string): string {
  return /\.idx$/i.test(idxPath) ? idxPath.replace(/\.idx$/i, ".parquet") : `${idxPath}.parquet`;
}

/** Reads the latent file `idxPath` and writes it as Parquet (default: beside it); returns the Parquet path. */
export async function latentFileToParquet(
  idxPath: string,
  options: LatentTableOptions & { out?: string } = {},
): Promise<string> {
  const out = options.out ?? latentParquetPath(idxPath);
  await writeLatentParquet(out, await readLatent(idxPath), options);
  return out;
}
