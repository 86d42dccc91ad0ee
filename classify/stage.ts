import { uuidV5 } from '../lib/ids.js';
import { parseBatchPayload, type ClassifiedMessage, type IncomingMessage, type Queues } from '../lib/queues.js';
import { dlq, ok, type WorkerSpec } from '../lib/workers.js';
import { classifyMessage, type ClassifyDeps } from './classify-message.js';

/**
 * A page is classified in slices of this many messages with a turn of the event loop between them: a page of 500
 * is ~200 ms of CPU, which would otherwise hold up every HTTP request and job of a process that runs other roles.
 */
const CLASSIFY_SLICE = 25;

async function classifyAll(items: readonly IncomingMessage[], deps: ClassifyDeps): Promise<ClassifiedMessage[]> {
  const out: ClassifiedMessage[] = [];
  for (let i = 0; i < items.length; i++) {
    if (i > 0 && i % CLASSIFY_SLICE === 0) await new Promise((resolve) => setImmediate(resolve));
    out.push(classifyMessage(items[i]!, deps));
  }
  return out;
}

export interface ClassifyStageDeps extends ClassifyDeps {
  queues: Pick<Queues, 'classified'>;
}

export function createClassifyStage(deps: ClassifyStageDeps): { workers: WorkerSpec[] } {
  return {
    workers: [
      {
        queue: 'incoming',
        concurrency: 50,
        async processor(data) {
          const { items, rejected } = parseBatchPayload('incoming', data);
          if (items.length === 0) {
            return dlq(`invalid incoming payload: no valid message in the batch (${rejected.map((r) => `[${r.index}] ${r.reason}`).join('; ')})`);
          }
          const classified = await classifyAll(items, deps);
          if (classified.length === 1 && !(data as { messages?: unknown }).messages) {
            // The messageId as job id makes a redelivered message one job, not two.
            const only = classified[0]!;
            await deps.queues.classified.add(only.message.source, only, { jobId: only.message.messageId });
          } else {
            // One job out per job in: its id follows the messages, so a retry of this job adds nothing.
            const jobId = `batch-${uuidV5(`classified:${items.map((m) => m.messageId).sort().join(',')}`)}`;
            await deps.queues.classified.add('batch', { items: classified }, { jobId });
          }
          return ok({ classified: classified.length, ...(rejected.length ? { rejected } : {}) });
        },
      },
    ],
  };
}
