import assert from "node:assert/strict";
import { createWorkerPool, defaultWorkerCount, sharedCopy } from "../../lib/util/worker_pool.ts";
import type { TestProtocol } from "./_pool_worker.ts";

const WORKER = new URL("./_pool_worker.ts", import.meta.url);

function testPool(workers = 2) {
  return createWorkerPool<TestProtocol>(WORKER, { workers, name: "test" });
}

Deno.test("worker pool: the default Worker count is all cores", () => {
  assert.equal(defaultWorkerCount(), Math.max(1, navigator.hardwareConcurrency));
  const pool = createWorkerPool<TestProtocol>(WORKER);
  try {
    assert.equal(pool.size, defaultWorkerCount());
  } finally {
    pool.close();
  }
});

Deno.test("worker pool: typed calls to one Worker and to all", async () => {
  const pool = testPool();
  try {
    assert.equal(await pool.call(1, "add", { a: 2, b: 3 }), 5);
    assert.deepEqual(await pool.callAll("add", { a: 1, b: 1 }), [2, 2]);
    await assert.rejects(pool.call(2, "add", { a: 1, b: 1 }), RangeError);
  } finally {
    pool.close();
  }
});

Deno.test("worker pool: a handler's error fails its call with that error, and the Worker goes on", async () => {
  const pool = testPool(1);
  try {
    await assert.rejects(pool.call(0, "fail", "k out of range"), (error: Error) => {
      assert.ok(error instanceof RangeError);
      assert.equal(error.message, "k out of range");
      assert.match(error.stack ?? "", /_pool_worker\.ts/);
      return true;
    });
    assert.equal(await pool.call(0, "add", { a: 1, b: 2 }), 3);
  } finally {
    pool.close();
  }
});

Deno.test("worker pool: a crashed Worker fails its pending and later calls with its message", async () => {
  for (const type of ["crashLater", "rejectUnawaited"] as const) {
    const pool = testPool();
    try {
      await assert.rejects(pool.call(1, type, `boom ${type}`), (error: Error) => {
        assert.match(error.message, new RegExp(`^test Worker 1 crashed: .*boom ${type}`));
        return true;
      });
      await assert.rejects(pool.call(1, "add", { a: 1, b: 1 }), /test Worker 1 crashed/);
      assert.equal(await pool.call(0, "add", { a: 1, b: 1 }), 2, "the other Worker still answers");
    } finally {
      pool.close();
    }
  }
});

Deno.test("worker pool: a Worker that ends (Deno.exit, self.close) fails its pending call", async () => {
  const pool = testPool();
  try {
    await assert.rejects(pool.call(0, "exit", 3), /^Error: test Worker 0 ended$/);
    await assert.rejects(pool.call(1, "close", null), /test Worker 1 ended/);
    await assert.rejects(pool.call(1, "add", { a: 1, b: 1 }), /test Worker 1 ended/);
  } finally {
    pool.close();
  }
});

Deno.test("worker pool: a Worker module that fails to load fails the call", async () => {
  const pool = createWorkerPool<TestProtocol>(new URL("./_pool_broken_worker.ts", import.meta.url), {
    workers: 1,
    name: "broken",
  });
  try {
    await assert.rejects(
      pool.call(0, "add", { a: 1, b: 1 }),
      /broken Worker 0 crashed: .*broken worker module/,
    );
  } finally {
    pool.close();
  }
});

Deno.test("worker pool: close rejects pending and later calls", async () => {
  const pool = testPool(1);
  const pending = pool.call(0, "crashLater", "never reported");
  pool.close();
  await assert.rejects(pending, /test worker pool: closed/);
  await assert.rejects(pool.call(0, "add", { a: 1, b: 1 }), /test worker pool: closed/);
  pool.close(); // twice is fine
});

Deno.test("worker pool: shared memory is shared, transferred buffers move", async () => {
  const pool = testPool(1);
  try {
    const shared = sharedCopy(Int32Array.of(1, 2, 3));
    assert.ok(shared.buffer instanceof SharedArrayBuffer);
    assert.equal(sharedCopy(shared), shared);
    await pool.call(0, "fill", { array: shared, value: 9 });
    assert.deepEqual(Array.from(shared), [9, 9, 9]);
    const bytes = await pool.call(0, "bytes", 5);
    assert.deepEqual(Array.from(bytes), [7, 7, 7, 7, 7]);
    const sent = new Uint8Array(4);
    assert.equal(await pool.call(0, "length", sent, [sent.buffer]), 4);
    assert.equal(sent.byteLength, 0, "transferred away");
  } finally {
    pool.close();
  }
});
