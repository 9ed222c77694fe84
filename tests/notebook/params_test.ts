import assert from "node:assert/strict";
import {
  commonDeclarations,
  declaredParams,
  notebookParams,
  paramEnvName,
  paramsToEnv,
  validateParams,
} from "../../lib/notebook/params.ts";
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

Deno.test("declaredParams: the keys and literal defaults of notebookParams({...})", () => {
  const source = `import { notebookParams } from "../lib/notebook/params.ts";
const params = notebookParams({
  sweep: "reduced", epochs: 7, decay: 0.95, dims: [10, 20], // a comment, with: colons
  names: [] as string[], quiet: false, /* block: comment */ label: 'it\\'s', computed: Math.max(1, 2),
});`;
  assert.deepEqual(Object.fromEntries(declaredParams(source)), {
    sweep: "reduced",
    epochs: 7,
    decay: 0.95,
    dims: [10, 20],
    names: [],
    quiet: false,
    label: "it's",
    computed: undefined,
  });
  assert.equal(declaredParams("const params = notebookParams();").size, 0);
});

Deno.test("validateParams: known keys with values of the declared type, else one line with a suggestion", () => {
  const declared = commonDeclarations();
  declared.set("LATENTLAB_EPOCHS", { key: "epochs", fallback: 7, notebooks: ["A.ipynb"] });
  declared.set("LATENTLAB_DIMS", { key: "dims", fallback: [10], notebooks: ["A.ipynb"] });
  declared.set("LATENTLAB_ANY", { key: "any", fallback: undefined, notebooks: ["A.ipynb"] });
  assert.deepEqual(validateParams(["epochs=3", "dims=10,20", "train-limit=100", "any=x"], declared), {
    LATENTLAB_EPOCHS: "3",
    LATENTLAB_DIMS: "10,20",
    LATENTLAB_TRAIN_LIMIT: "100",
    LATENTLAB_ANY: "x",
  });
  const refused = (pairs: string[], pattern: RegExp, options = {}) =>
    assert.throws(
      () => validateParams(pairs, declared, options),
      (e) => e instanceof InputError && pattern.test(e.message),
      pairs.join(" "),
    );
  refused(["datset=x"], /^--param datset: no notebook to run declares it \(did you mean dataset\?\)/);
  refused(["epoch=3"], /\(did you mean epochs\?\)/);
  refused(["zzzzzz=1"], /^--param zzzzzz: no notebook to run declares it; known: dataset, seed/);
  refused(["epochs=three"], /^--param epochs: expected a number, got "three"/);
  refused(["dims=10,x"], /^--param dims: expected a comma-separated list of numbers/);
  refused(["epochs=1", "EPOCHS=2"], /^--param EPOCHS: given twice/);
  refused(["=1"], /^--param: expected key=value/);
  refused(["results=/x"], /^--param results: use --out/, { reserved: { results: "use --out" } });
  refused(["dataset=nope"], /^--param dataset: nope is not known/, {
    check: (key: string, value: unknown) => {
      if (key === "dataset") throw new InputError(`${value} is not known`);
    },
  });
});
