import type { Agenda } from 'agenda';
import mongoose from 'mongoose';
import os from 'node:os';
import type { AppContext } from '../server/context.js';
import { scheduleRecurring } from '../server/lib/scheduler.js';

/**
 * TEST ONLY: a short-interval recurring job that records each run, so test/ops can show that
 * several processes run a scheduled job once per period. It exists only when NODE_ENV=test and
 * MAILLAGE_TEST_TICK_CRON is set (read here rather than in config: it is no production setting).
 */
export const OPS_TICK = 'test:ops-tick';
export const OPS_TICKS_COLLECTION = 'ops_ticks';

const tickCron = (ctx: AppContext) => (ctx.config.env === 'test' ? process.env.MAILLAGE_TEST_TICK_CRON : undefined);

export function defineOpsTick(agenda: Agenda, ctx: AppContext): void {
  if (!tickCron(ctx)) return;
  agenda.define(OPS_TICK, async (job) => {
    const db = mongoose.connection.db!;
    await db.collection(OPS_TICKS_COLLECTION).insertOne({ lastRunAt: job.attrs.lastRunAt, at: new Date(), pid: process.pid, host: os.hostname() });
  });
}

export async function scheduleOpsTick(agenda: Agenda, ctx: AppContext): Promise<void> {
  const cron = tickCron(ctx);
  if (cron) await scheduleRecurring(agenda, cron, OPS_TICK, { skipImmediate: true });
}
