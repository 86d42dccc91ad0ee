import type pg from 'pg';
import { parsePayload, type Queues } from '../lib/queues.js';
import { drop, ok, type WorkerSpec } from '../lib/workers.js';
import { registerCase } from './register-case.js';

export interface WorkflowStageDeps {
  db: pg.Pool;
  queues: Pick<Queues, 'events'>;
  now?: () => Date;
}

export function createWorkflowStage(deps: WorkflowStageDeps): { workers: WorkerSpec[] } {
  return {
    workers: [
      {
        queue: 'classified',
        concurrency: 20,
        async processor(data, job) {
          const input = parsePayload('classified', data);
          const result = await registerCase(deps.db, input, deps.now?.() ?? new Date());
          // A retry may follow a crash between commit and publish, so it publishes again; the events' derived ids
          // make the second copy collapse in ClickHouse. A fresh duplicate delivery publishes nothing.
          if (result.created || job.attemptsMade > 0) {
            await deps.queues.events.add('registration', { events: result.events }, { jobId: `reg-${result.case.caseId}-${job.attemptsMade}` });
          }
          if (!result.created && job.attemptsMade === 0) return drop('duplicate');
          return ok({ caseId: result.case.caseId, registrationNumber: result.case.registrationNumber });
        },
      },
    ],
  };
}
