import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the worker's heap grow past what survived its last full collection: 1.5 times
 * (V8 picks up to 4 times by itself). A build turns a million employees into garbage; left to V8,
 * the heap of a worker that holds about 70 MB grows by some 150 MB before it collects, and the
 * worker's memory with it. Measured with `npm run bench` (docs/operations.md, "Worker memory"):
 * worker peak RSS at 1M employees falls by about 150 MB, run time within the noise. Set before
 * anything else loads, from the first import of worker/main.ts; NODE_OPTIONS cannot carry it.
 */
setFlagsFromString('--heap-growing-percent=50');
