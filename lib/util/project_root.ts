/**
 * The repository root, found from this file's own location (so it is right wherever the repository
 * was cloned, and for the Jupyter kernel, whose working directory is `notebooks/`).
 * @module
 */
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (two levels above this file). */
export const PROJECT_ROOT: string = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
