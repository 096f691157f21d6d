import type { AppContext } from '../server/context.js';
import { definePurgeExpired, schedulePurgeExpired } from './purge-expired.job.js';

/**
 * Every job type, wired to its service. Definitions are registered in every process (so any
 * process can enqueue); recurring schedules are upserted by the process that runs jobs.
 */
export function defineJobs(ctx: AppContext): void {
  const { agenda } = ctx.scheduler;
  definePurgeExpired(agenda, ctx);
}

export async function scheduleRecurringJobs(ctx: AppContext): Promise<void> {
  const { agenda } = ctx.scheduler;
  await schedulePurgeExpired(agenda);
}
