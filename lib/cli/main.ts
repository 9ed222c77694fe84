/**
 * `deno task main`: the main job. Builds the default data when missing, then executes every notebook
 * in `notebooks/` headless (A: autoencoder, B: search, C: EMD, D: clustering, and the library tour)
 * and writes `results/`: executed notebooks, standalone HTML reports with interactive figures,
 * CSV tables and `results/index.html`. Same flags as `deno task notebooks` (`--only`, `--param k=v`,
 * `--out`, `--timeout`, `--fail-fast`); `--param dataset=fashion-mnist` runs at full scale.
 * @module
 */
import { notebooksProcess } from "./notebooks.ts";

if (import.meta.main) await notebooksProcess();
