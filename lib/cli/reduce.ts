/**
 * `deno task reduce -d <dataset> -q <queryset> -od <out dataset> -oq <out queries> [--model DIR]`:
 * encodes both image files with a trained autoencoder and writes two latent files (IDX int16,
 * N×1×D, integers 0..25500 on one scale taken from the dataset; spec section 0). The two files are a
 * pair: both are written to temporaries and renamed into place together, after everything was
 * computed, so they are replaced together or not at all.
 * @module
 */
import { defineTool, runMain } from "./_run.ts";
import { autoencoderFlags } from "./_common_flags.ts";
import { InputError } from "../errors.ts";
import { encodeIdxFile, latentIdx, readImages } from "../data/idx.ts";
import { OutputSet } from "../io/commit.ts";
import { Autoencoder } from "../nn/autoencoder.ts";
import { reduceImages } from "../nn/latent.ts";
import { initBackend } from "../nn/backend.ts";
import { chooseAutoencoder } from "./_model.ts";

/** The `reduce` tool. */
export const reduceTool = defineTool({
  name: "reduce",
  summary:
    "Encodes a dataset and a query set with a trained conv autoencoder and writes their latent files " +
    "(IDX int16 N x 1 x D, values 0..25500, one scale from the dataset); the two files are replaced together.",
  flags: {
    dataset: {
      names: ["-d", "--dataset"],
      kind: "input",
      required: true,
      description: "Dataset images (IDX)",
    },
    queries: {
      names: ["-q", "--queries"],
      kind: "input",
      required: true,
      description: "Query images (IDX)",
    },
    outDataset: {
      names: ["-od", "--out-dataset"],
      kind: "output",
      required: true,
      description: "Output latent file for the dataset",
    },
    outQueries: {
      names: ["-oq", "--out-queries"],
      kind: "output",
      required: true,
      description: "Output latent file for the queries",
    },
    ...autoencoderFlags("--model"),
    latentDim: {
      names: ["--latent-dim"],
      kind: "integer",
      min: 1,
      max: 4096,
      description: "Without --model: pick the best model with this latent dimension",
    },
    batchSize: {
      names: ["--batch-size"],
      kind: "integer",
      min: 1,
      max: 65536,
      default: 256,
      description: "Images per inference batch",
    },
  },
  async run(flags) {
    const started = performance.now();
    const { outDataset, outQueries, batchSize } = flags;
    const dataset = await readImages(flags.dataset);
    const queries = await readImages(flags.queries);
    if (queries.rows !== dataset.rows || queries.cols !== dataset.cols) {
      throw new InputError(
        `${flags.queries}: query images are ${queries.rows}x${queries.cols}, dataset images (${flags.dataset}) are ${dataset.rows}x${dataset.cols}`,
      );
    }
    const chosen = await chooseAutoencoder({
      model: flags.model,
      models: flags.models,
      latentDim: flags.latentDim,
      datasetPath: flags.dataset,
      images: { rows: dataset.rows, cols: dataset.cols, source: flags.dataset },
    });
    const backend = await initBackend();
    if (chosen.warning) console.error(chosen.warning);
    const ae = await Autoencoder.load(chosen.files);
    const encodeStart = performance.now();
    const reduced = await reduceImages({
      latentDim: ae.latentDim,
      encode: (d) => ae.encode(d, { batchSize }),
    }, {
      dataset,
      queries,
    });
    const encodeSeconds = (performance.now() - encodeStart) / 1000;
    const outputs = new OutputSet();
    try {
      await outputs.addFile(outDataset, await encodeIdxFile(outDataset, latentIdx(reduced.dataset)));
      await outputs.addFile(outQueries, await encodeIdxFile(outQueries, latentIdx(reduced.queries)));
      await outputs.commit();
    } finally {
      await outputs.discard();
    }
    const total = (performance.now() - started) / 1000;
    console.log(`reduce: model ${chosen.dir} (latent dim ${ae.latentDim}, backend ${backend.name})`);
    console.log(
      `reduce: wrote ${outDataset} (${reduced.dataset.count} x 1 x ${reduced.dataset.dim} int16) and ${outQueries} (${reduced.queries.count} x 1 x ${reduced.queries.dim} int16)`,
    );
    console.log(
      `reduce: scale from the dataset: min ${reduced.scale.min.toPrecision(6)} -> 0, max ${
        reduced.scale.max.toPrecision(6)
      } -> 25500`,
    );
    console.log(
      `reduce: encoded ${dataset.count + queries.count} images in ${encodeSeconds.toFixed(2)} s (${
        ((dataset.count + queries.count) / encodeSeconds).toFixed(0)
      } img/s); total ${total.toFixed(2)} s`,
    );
    ae.dispose();
  },
});

if (import.meta.main) await runMain(reduceTool);
