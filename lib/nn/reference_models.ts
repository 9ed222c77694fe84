/**
 * The fixed conv autoencoders used to measure training throughput (the "cheap" and "ref" models of
 * `notes/tfjs-wasm-training.md`, identical to `bench/train_throughput_torch.py`), built with
 * tfjs-layers. Input 28×28×1 in [0, 1], 'same' padding, ReLU, sigmoid output, latent dim 10.
 * @module
 */
import * as tfl from "@tensorflow/tfjs-layers";

/** Names of the reference models. */
export type ReferenceModelName = "cheap" | "ref";

/** All reference model names. */
export const REFERENCE_MODEL_NAMES: readonly ReferenceModelName[] = ["cheap", "ref"];

/** Options of {@linkcode buildReferenceModel}. */
export interface ReferenceModelOptions {
  /** Latent dimension (default 10). */
  latentDim?: number;
  /** Seed of the Glorot-uniform initialisers (default 0), so every replica starts identical. */
  seed?: number;
}

/** A reference autoencoder: the encoder, the decoder and both chained. */
export interface ReferenceModel {
  /** Model name. */
  name: ReferenceModelName;
  /** Image [n,28,28,1] → latent [n,latentDim]. */
  encoder: tfl.Sequential;
  /** Latent → image. */
  decoder: tfl.Sequential;
  /** Image → reconstruction (encoder then decoder; shares their weights). */
  autoencoder: tfl.Sequential;
}

/**
 * Builds a reference model:
 * - `ref`: conv32 3×3 → maxpool2 → conv64 3×3 → maxpool2 → dense 10 | dense 7·7·64 → convT32 s2 →
 *   convT1 s2 sigmoid (≈103k parameters);
 * - `cheap`: conv16 3×3 s2 → conv32 3×3 s2 → dense 10 | dense 7·7·32 → convT16 s2 → convT1 s2
 *   sigmoid (≈42k parameters).
 */
export function buildReferenceModel(
  name: ReferenceModelName,
  options: ReferenceModelOptions = {},
): ReferenceModel {
  const latentDim = options.latentDim ?? 10;
  let seed = options.seed ?? 0;
  const init = () => tfl.initializers.glorotUniform({ seed: seed++ });
  const conv = (filters: number, strides: number, extra: Record<string, unknown> = {}) =>
    tfl.layers.conv2d({
      filters,
      kernelSize: 3,
      strides,
      padding: "same",
      activation: "relu",
      kernelInitializer: init(),
      ...extra,
    });
  const convT = (filters: number, activation: "relu" | "sigmoid") =>
    tfl.layers.conv2dTranspose({
      filters,
      kernelSize: 3,
      strides: 2,
      padding: "same",
      activation,
      kernelInitializer: init(),
    });
  const channels = name === "ref" ? 64 : 32;
  const encoder = tfl.sequential({ name: `${name}_encoder` });
  if (name === "ref") {
    encoder.add(conv(32, 1, { inputShape: [28, 28, 1] }));
    encoder.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
    encoder.add(conv(64, 1));
    encoder.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
  } else {
    encoder.add(conv(16, 2, { inputShape: [28, 28, 1] }));
    encoder.add(conv(32, 2));
  }
  encoder.add(tfl.layers.flatten());
  encoder.add(tfl.layers.dense({ units: latentDim, kernelInitializer: init() }));
  const decoder = tfl.sequential({ name: `${name}_decoder` });
  decoder.add(
    tfl.layers.dense({
      units: 7 * 7 * channels,
      activation: "relu",
      inputShape: [latentDim],
      kernelInitializer: init(),
    }),
  );
  decoder.add(tfl.layers.reshape({ targetShape: [7, 7, channels] }));
  decoder.add(convT(channels / 2, "relu"));
  decoder.add(convT(1, "sigmoid"));
  const autoencoder = tfl.sequential({ name: `${name}_autoencoder` });
  autoencoder.add(encoder);
  autoencoder.add(decoder);
  return { name, encoder, decoder, autoencoder };
}
