/**
 * The capture thread's entry (see capture-pool.ts): prepares capture requests off the main
 * thread, one at a time, and answers plain data.
 */
import { parentPort } from 'node:worker_threads';
import { capturePreparer, type PrepareRequest } from './capture-prepare.ts';

parentPort?.on('message', ({ id, request }: { id: number; request: PrepareRequest }) => {
  try {
    parentPort?.postMessage({ id, outcome: capturePreparer(request) });
  } catch (error) {
    parentPort?.postMessage({ id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
});
