import type { Agenda } from 'agenda';
import type { AppContext } from '../server/context.js';
import { scheduleRecurring } from '../server/lib/scheduler.js';
import { purgeExpiredCounters } from '../server/lib/rate-limit.js';
import { purgeExpiredSessions } from '../server/users/auth.service.js';

/** FerretDB has no TTL indexes: expired sessions and rate-limit counters are deleted here. */
export const PURGE_EXPIRED = 'maintenance:purge-expired';

export function definePurgeExpired(agenda: Agenda, ctx: AppContext): void {
  agenda.define(PURGE_EXPIRED, async () => {
    const sessions = await purgeExpiredSessions();
    const counters = await purgeExpiredCounters();
    ctx.logger.debug({ sessions, counters }, 'expired records purged');
  });
}

export async function schedulePurgeExpired(agenda: Agenda): Promise<void> {
  await scheduleRecurring(agenda, '15 minutes', PURGE_EXPIRED, { skipImmediate: true });
}
