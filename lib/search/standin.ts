/**
 * The random-projection latent stand-in, re-exported from its home `lib/data/stand_in.ts` for the
 * notebook that still imports it from here (`B_search.ipynb`; moved to the public entry points in a
 * later step, which removes this module).
 * @module
 */
export {
  type RandomProjectionLatent,
  randomProjectionLatent,
  type RandomProjectionOptions,
} from "../data/stand_in.ts";
