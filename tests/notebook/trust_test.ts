import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { type Notebook, writeNotebook } from "../../lib/notebook/ipynb.ts";
import {
  isNotebookTrusted,
  notebookSecret,
  notebookSignature,
  signNotebook,
} from "../../lib/notebook/trust.ts";
import { PLOTLY_MIME } from "../../lib/report/plotly.ts";
import { withTempDir } from "../_helpers.ts";

function sample(): Notebook {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { name: "latentlab" },
      latentlab: { run: { ms: 12.5, tiny: 1.5e-7, big: 1e21 } },
    },
    cells: [
      { cell_type: "markdown", id: "m", metadata: {}, source: ["# Título ✓\n", "ünïcode 😀"] },
      {
        cell_type: "code",
        id: "c",
        metadata: { trusted: false, tags: ["a"] },
        execution_count: 3,
        source: ["const x = 1;\n", "x"],
        outputs: [
          { output_type: "stream", name: "stdout", text: ["a\n", "b\n"] },
          {
            output_type: "display_data",
            data: {
              [PLOTLY_MIME]: { data: [{ y: [0.1, 2, -3.25, 1e-5, 0.0001, null] }], layout: { flag: true } },
              "text/html": ["<div>\n", "</div>"],
              "text/plain": ["fig"],
            },
            metadata: {},
          },
          { output_type: "execute_result", execution_count: 3, data: { "text/plain": ["1"] }, metadata: {} },
        ],
      },
      { cell_type: "code", id: "e", metadata: {}, execution_count: null, source: [], outputs: [] },
    ],
  };
}

Deno.test("the signature ignores line splitting and transient keys, and covers everything else", async () => {
  const secret = new TextEncoder().encode("secret\n");
  const a = sample();
  const b = sample();
  (b.cells[0].source as string[]).splice(0, 2, "# Título ✓\nünïcode 😀");
  b.metadata.signature = "sha256:old";
  delete b.cells[1].metadata.trusted;
  assert.equal(await notebookSignature(a, secret), await notebookSignature(b, secret));
  const c = sample();
  (c.cells[1].outputs![1] as { data: Record<string, unknown> }).data["text/plain"] = ["fig!"];
  assert.notEqual(await notebookSignature(a, secret), await notebookSignature(c, secret));
  assert.match(await notebookSignature(a, secret), /^[0-9a-f]{64}$/);
});

Deno.test("signNotebook stores the signature; the secret is created once with mode 600", async () => {
  await withTempDir(async (dataDir) => {
    const nb = sample();
    assert.equal(await isNotebookTrusted(nb, { dataDir }), false);
    await signNotebook(nb, { dataDir });
    await signNotebook(nb, { dataDir }); // twice: one row, updated
    assert.equal(await isNotebookTrusted(nb, { dataDir }), true);
    const secret = await notebookSecret({ dataDir });
    assert.deepEqual(await notebookSecret({ dataDir }), secret);
    assert.equal((await Deno.stat(join(dataDir, "notebook_secret"))).mode! & 0o777, 0o600);
    nb.cells[1].execution_count = 4;
    assert.equal(await isNotebookTrusted(nb, { dataDir }), false, "a changed notebook is not trusted");
  }, { prefix: "latentlab-trust-" });
});

// nbformat itself (Debian python3-nbformat, installed with jupyter-nbconvert) checks our signatures.
const PYTHON = "/usr/bin/python3";
const hasNbformat = existsSync(PYTHON) &&
  (await new Deno.Command(PYTHON, { args: ["-c", "import nbformat.sign"], stderr: "null" }).output()).success;
if (!hasNbformat) console.log("trust_test: nbformat checks SKIPPED, /usr/bin/python3 has no nbformat");

Deno.test({
  name: "nbformat's NotebookNotary trusts what signNotebook signed, and we trust what it signed",
  ignore: !hasNbformat,
  async fn() {
    await withTempDir(async (dataDir) => {
      const ours = join(dataDir, "ours.ipynb");
      const theirs = join(dataDir, "theirs.ipynb");
      const nb = sample();
      await writeNotebook(ours, nb);
      await signNotebook(nb, { dataDir });
      const other = sample();
      other.cells[1].execution_count = 9;
      await writeNotebook(theirs, other);
      const script = `
import sys, nbformat
from nbformat.sign import NotebookNotary
notary = NotebookNotary(data_dir=sys.argv[1])
ours = nbformat.read(sys.argv[2], as_version=4)
print("ours", notary.check_signature(ours))
theirs = nbformat.read(sys.argv[3], as_version=4)
print("theirs-before", notary.check_signature(theirs))
notary.sign(theirs)
`;
      const result = await new Deno.Command(PYTHON, { args: ["-c", script, dataDir, ours, theirs] }).output();
      const out = new TextDecoder().decode(result.stdout);
      assert.equal(result.code, 0, new TextDecoder().decode(result.stderr));
      assert.deepEqual(out.trim().split("\n"), ["ours True", "theirs-before False"]);
      assert.equal(await isNotebookTrusted(other, { dataDir }), true, "signed by nbformat");
    }, { prefix: "latentlab-trust-" });
  },
});
