/**
 * The capture thread's entry (see capture-pool.ts): checks a capture request and answers at once
 * (`checked`, what the 202 needs), then prepares it and answers again (`prepared`), one request
 * after the other. Answers are plain data.
 */
import { parentPort } from 'node:worker_threads';
import { captureChecker, draftPreparer, type PrepareRequest } from './capture-prepare.ts';

const post = (message: unknown) => parentPort?.postMessage(message);
const failure = (error: unknown) => (error instanceof Error ? (error.stack ?? error.message) : String(error));

parentPort?.on('message', ({ id, request }: { id: number; request: PrepareRequest }) => {
  let draft: ReturnType<typeof captureChecker>['draft'];
  try {
    const checked = captureChecker(request);
    draft = checked.draft;
    post({ id, phase: 'checked', outcome: checked.outcome });
    if (!draft) post({ id, phase: 'prepared', outcome: checked.outcome });
  } catch (error) {
    post({ id, phase: 'checked', error: failure(error) });
    return;
  }
  if (!draft) return;
  try {
    post({ id, phase: 'prepared', outcome: draftPreparer(draft) });
  } catch (error) {
    post({ id, phase: 'prepared', error: failure(error) });
  }
});
