import { parsePayload, type Queues } from '../lib/queues.js';
import { ok, type WorkerSpec } from '../lib/workers.js';
import { classifyMessage, type ClassifyDeps } from './classify-message.js';

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
          const message = parsePayload('incoming', data);
          const classified = classifyMessage(message, deps);
          // The messageId as job id makes a redelivered message one job, not two.
          await deps.queues.classified.add(message.source, classified, { jobId: message.messageId });
          return ok({ category: classified.classification.category });
        },
      },
    ],
  };
}
