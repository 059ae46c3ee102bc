/**
 * The entry point of every training worker thread: plain JavaScript, because Node 20
 * does not apply the main thread's `--import tsx` to a worker's entry module
 * (privatenumber/tsx#354: a `.ts` entry fails with ERR_UNKNOWN_FILE_EXTENSION).
 * Registering tsx here, then importing the TypeScript module named in `workerData`,
 * loads it exactly as `node --import tsx` loads the main thread's (and under vitest too).
 */
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
await import(workerData.entry);
