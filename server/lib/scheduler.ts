import { MongoBackend } from '@agendajs/mongo-backend';
import { Agenda } from 'agenda';
import type { Db } from 'mongodb';
import mongoose, { Schema } from 'mongoose';
import os from 'node:os';
import type { Logger } from './logger.js';

/**
 * Agenda over the app's own database. The process that runs jobs writes a heartbeat every
 * few seconds, so any process (an app whose jobs run in a separate worker) can tell the
 * scheduler is alive.
 */
const heartbeatSchema = new Schema(
  { _id: { type: String, required: true }, at: { type: Date, required: true }, host: String, pid: Number },
  { versionKey: false },
);
const Heartbeat = mongoose.model('Heartbeat', heartbeatSchema, 'heartbeats');

export const HEARTBEAT_EVERY_MS = 5_000;
const HEARTBEAT_STALE_MS = 30_000;

export type Scheduler = {
  agenda: Agenda;
  start(): Promise<void>;
  stop(): Promise<void>;
};

export function createScheduler(db: Db, logger: Logger, options: { processEvery?: string | number } = {}): Scheduler {
  const agenda = new Agenda({
    backend: new MongoBackend({ mongo: db, collection: 'jobs' }),
    name: `${os.hostname()}-${process.pid}`,
    processEvery: options.processEvery ?? '5 seconds',
    defaultLockLifetime: 10 * 60_000,
  });
  agenda.on('error', (error) => logger.error({ err: error }, 'scheduler error'));
  agenda.on('fail', (error, job) => logger.error({ err: error, job: job.attrs.name }, 'job failed'));
  let beat: NodeJS.Timeout | undefined;
  const writeHeartbeat = () =>
    Heartbeat.updateOne({ _id: 'scheduler' }, { $set: { at: new Date(), host: os.hostname(), pid: process.pid } }, { upsert: true }).catch(
      (error: unknown) => logger.warn({ err: error }, 'heartbeat not written'),
    );
  return {
    agenda,
    async start() {
      await agenda.start();
      await writeHeartbeat();
      beat = setInterval(writeHeartbeat, HEARTBEAT_EVERY_MS);
    },
    async stop() {
      if (beat) clearInterval(beat);
      await agenda.drain(15_000).catch(() => undefined);
      await agenda.stop();
    },
  };
}

/** True when some process ran the scheduler recently. */
export async function schedulerAlive(now = Date.now()): Promise<boolean> {
  const beat = await Heartbeat.findById('scheduler').lean();
  return Boolean(beat && now - beat.at.getTime() < HEARTBEAT_STALE_MS);
}

/**
 * `agenda.every()` for a job several processes schedule at start-up. Agenda's upsert of a
 * recurring job sets `lockedAt: null` and `lastRunAt: null`: a process starting while another
 * holds the job's lock unlocks it, and the job runs twice in that period (seen with three
 * processes on FerretDB over PostgreSQL). So the upsert is skipped when the schedule is
 * unchanged, and the job is then asked to run now, as the upsert would have (unless `skipImmediate`).
 */
export async function scheduleRecurring(
  agenda: Agenda,
  interval: string,
  name: string,
  options: { timezone?: string; skipImmediate?: boolean } = {},
): Promise<void> {
  const existing = await mongoose.connection.db!.collection('jobs').findOne({ name, type: 'single' });
  const unchanged = existing && existing.repeatInterval === interval && (existing.repeatTimezone ?? undefined) === options.timezone && !existing.disabled;
  if (!unchanged) await agenda.every(interval, name, undefined, options);
  else if (!options.skipImmediate) await agenda.now(name);
}
