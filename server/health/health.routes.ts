import { Router } from 'express';
import { pingDatabase } from '../lib/db.js';
import { schedulerAlive } from '../lib/scheduler.js';

/** Public: `{"status":"ok","db":"ok","jobs":"ok"}`, 503 when the database or the scheduler is down. */
export function healthRoutes(): Router {
  const router = Router();
  router.get('/', async (_req, res) => {
    const db = await pingDatabase();
    const jobs = db && (await schedulerAlive());
    const ok = db && jobs;
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'degraded', db: db ? 'ok' : 'down', jobs: jobs ? 'ok' : 'down' });
  });
  return router;
}
