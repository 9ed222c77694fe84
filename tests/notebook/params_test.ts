import assert from "node:assert/strict";
import { notebookParams, paramEnvName, paramsToEnv } from "../../lib/notebook/params.ts";
import { InputError } from "../../lib/errors.ts";

Deno.test("notebookParams returns typed defaults", () => {
  const params = notebookParams({ epochs: 5, dims: [10, 20], fast: false, model: "best" }, {
    env: {},
    cwd: "/p/notebooks",
  });
  assert.deepEqual(params, {
    dataset: "mnist-sample",
    seed: 1,
    trainLimit: 0,
    queryLimit: 0,
    results: "/p/results",
    models: "/p/models",
    epochs: 5,
    dims: [10, 20],
    fast: false,
    model: "best",
  });
});

Deno.test("notebookParams parses environment variables by the default's type", () => {
  const env = {
    LATENTLAB_DATASET: "fashion-mnist",
    LATENTLAB_SEED: "42",
    LATENTLAB_EPOCHS: "2",
    LATENTLAB_DIMS: "10, 50,200",
    LATENTLAB_FAST: "yes",
    LATENTLAB_RESULTS: "/tmp/out",
    LATENTLAB_NAMES: "a,b",
  };
  const params = notebookParams({ epochs: 5, dims: [10], fast: false, names: [] as string[] }, {
    env,
    cwd: "/x",
  });
  assert.equal(params.dataset, "fashion-mnist");
  assert.equal(params.seed, 42);
  assert.equal(params.epochs, 2);
  assert.deepEqual(params.dims, [10, 50, 200]);
  assert.equal(params.fast, true);
  assert.equal(params.results, "/tmp/out");
  assert.deepEqual(params.names, ["a", "b"]);
});

Deno.test("malformed values name the variable", () => {
  assert.throws(
    () => notebookParams({}, { env: { LATENTLAB_SEED: "one" } }),
    (error: unknown) => error instanceof InputError && /LATENTLAB_SEED/.test(error.message),
  );
  assert.throws(() => notebookParams({ dims: [1] }, { env: { LATENTLAB_DIMS: "1,x" } }), /LATENTLAB_DIMS/);
  assert.throws(() => notebookParams({ on: true }, { env: { LATENTLAB_ON: "maybe" } }), /LATENTLAB_ON/);
});

Deno.test("parameter names map to environment variables", () => {
  assert.equal(paramEnvName("trainLimit"), "LATENTLAB_TRAIN_LIMIT");
  assert.equal(paramEnvName("train-limit"), "LATENTLAB_TRAIN_LIMIT");
  assert.equal(paramEnvName("LATENTLAB_SEED"), "LATENTLAB_SEED");
  assert.deepEqual(paramsToEnv(["dataset=fashion-mnist", "latentDims=10,20", "x=a=b"]), {
    LATENTLAB_DATASET: "fashion-mnist",
    LATENTLAB_LATENT_DIMS: "10,20",
    LATENTLAB_X: "a=b",
  });
  assert.throws(() => paramsToEnv(["novalue"]), InputError);
});
