/**
 * Worker of `worker_pool_test.ts` that fails while loading.
 * @module
 */
throw new Error("broken worker module");
