import assert from "node:assert/strict";
import { InputError } from "../../lib/errors.ts";
import {
  appendStream,
  type CellOutput,
  cleanCopy,
  parseNotebook,
  splitLines,
} from "../../lib/notebook/ipynb.ts";

Deno.test("splitLines keeps newlines like Jupyter", () => {
  assert.deepEqual(splitLines("a\nb\n"), ["a\n", "b\n"]);
  assert.deepEqual(splitLines("a\nb"), ["a\n", "b"]);
  assert.deepEqual(splitLines(""), []);
});

Deno.test("appendStream merges consecutive chunks of the same stream", () => {
  const outputs: CellOutput[] = [];
  appendStream(outputs, "stdout", "a\n");
  appendStream(outputs, "stdout", "b");
  appendStream(outputs, "stdout", "c\n");
  appendStream(outputs, "stderr", "e\n");
  appendStream(outputs, "stdout", "d\n");
  assert.deepEqual(outputs, [
    { output_type: "stream", name: "stdout", text: ["a\n", "bc\n"] },
    { output_type: "stream", name: "stderr", text: ["e\n"] },
    { output_type: "stream", name: "stdout", text: ["d\n"] },
  ]);
});

Deno.test("cleanCopy upgrades to nbformat 4.5 with unique valid ids and empty outputs", () => {
  const notebook = parseNotebook(JSON.stringify({
    nbformat: 4,
    nbformat_minor: 2,
    metadata: {},
    cells: [
      {
        cell_type: "code",
        metadata: {},
        source: "1",
        outputs: [{ output_type: "stream", name: "stdout", text: "x" }],
        execution_count: 4,
      },
      { cell_type: "code", id: "same", metadata: {}, source: "2", outputs: [], execution_count: null },
      { cell_type: "markdown", id: "same", metadata: {}, source: "#" },
      { cell_type: "markdown", id: "bad id!", metadata: {}, source: "#" },
    ],
  }));
  const copy = cleanCopy(notebook);
  assert.equal(copy.nbformat_minor, 5);
  const ids = copy.cells.map((c) => c.id!);
  assert.equal(new Set(ids).size, 4);
  for (const id of ids) assert.match(id, /^[a-zA-Z0-9-_]{1,64}$/);
  assert.deepEqual(copy.cells[0].outputs, []);
  assert.equal(copy.cells[0].execution_count, null);
  assert.equal(notebook.cells[0].execution_count, 4, "the original is untouched");
});

Deno.test("parseNotebook rejects what is not an nbformat 4 notebook", () => {
  assert.throws(
    () => parseNotebook("{", "x.ipynb"),
    (e: unknown) => e instanceof InputError && /x\.ipynb/.test(e.message),
  );
  assert.throws(() => parseNotebook('{"nbformat": 3, "cells": []}'), InputError);
});
