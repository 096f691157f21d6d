import { Router } from 'express';
import mongoose from 'mongoose';
import { pingDatabase } from '../lib/db.js';
import { embeddedDatabase } from '../lib/embedded-db.js';
import { schedulerAlive } from '../lib/scheduler.js';
import { schemaState } from '../ops/migration.service.js';

/**
 * Public, no login:
 * - `GET /api/health` → `{"status":"ok","db":"ok","jobs":"ok"}`, 503 when the database or the scheduler is down;
 * - `GET /api/health/live` → 200 while the process can serve; 503 when its embedded database
 *   stopped and could not be restarted (restart the app). An external database being down is
 *   not the app's fault: `ready` says so, the driver reconnects when it is back;
 * - `GET /api/health/ready` → 200 when the database answers (within 2 s), every migration is
 *   applied and a scheduler beat recently (send it traffic), 503 with the failing part
 *   otherwise (`db: "restarting"` while the embedded database is being restarted).
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
    if (embeddedDatabase()?.state() === 'failed') return res.status(503).json({ status: 'failed', db: 'failed' });
    res.json({ status: 'ok' });
  });
  router.get('/ready', async (_req, res) => {
    const embedded = embeddedDatabase()?.state();
    if (embedded && embedded !== 'up') return res.status(503).json({ status: 'not_ready', db: embedded, migrations: 'unknown', jobs: 'unknown' });
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
