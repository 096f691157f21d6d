import { Router } from 'express';
import mongoose from 'mongoose';
import { pingDatabase } from '../lib/db.js';
import { schedulerAlive } from '../lib/scheduler.js';
import { schemaState } from '../ops/migration.service.js';

/**
 * Public, no login:
 * - `GET /api/health` → `{"status":"ok","db":"ok","jobs":"ok"}`, 503 when the database or the scheduler is down;
 * - `GET /api/health/live` → 200 while the process answers (restart it otherwise);
 * - `GET /api/health/ready` → 200 when the database answers, every migration is applied and a
 *   scheduler beat recently (send it traffic), 503 with the failing part otherwise.
 */
export function healthRoutes(): Router {
  const router = Router();
  router.get('/', async (_req, res) => {
    const db = await pingDatabase();
    const jobs = db && (await schedulerAlive());
    const ok = db && jobs;
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'degraded', db: db ? 'ok' : 'down', jobs: jobs ? 'ok' : 'down' });
  });
  router.get('/live', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/ready', async (_req, res) => {
    const db = await pingDatabase();
    const schema = db ? await schemaState(mongoose.connection.db!).catch(() => undefined) : undefined;
    const migrations = schema ? (schema.pending.length === 0 && schema.current <= schema.expected ? 'ok' : 'pending') : 'unknown';
    const jobs = db && (await schedulerAlive().catch(() => false));
    const ok = db && migrations === 'ok' && jobs;
    res.status(ok ? 200 : 503).json({
      status: ok ? 'ok' : 'not_ready',
      db: db ? 'ok' : 'down',
      migrations,
      jobs: jobs ? 'ok' : 'down',
      ...(schema ? { schemaVersion: schema.current } : {}),
    });
  });
  return router;
}
