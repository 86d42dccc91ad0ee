import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import express, { type RequestHandler, type Router } from 'express';
import type { Queue } from 'bullmq';

export const QUEUE_BOARD_PATH = '/admin/queues';

/**
 * Bull Board over every queue, for region administrators only: failed jobs can be inspected and retried there,
 * which is where dead-lettered payloads end up.
 */
export function createQueueBoard(deps: { queues: Queue[]; authenticate: RequestHandler; isAdministrator: (req: express.Request) => boolean }): Router {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(QUEUE_BOARD_PATH);
  createBullBoard({ queues: deps.queues.map((q) => new BullMQAdapter(q)), serverAdapter, options: { uiConfig: { boardTitle: 'Отклик — очереди' } } });
  const router = express.Router();
  router.use(QUEUE_BOARD_PATH, deps.authenticate, (req, res, next) => {
    if (!deps.isAdministrator(req)) return void res.status(403).json({ error: 'the queue board is for administrators only' });
    next();
  }, serverAdapter.getRouter() as Router);
  return router;
}
