import type { Agenda } from 'agenda';
import type { AppContext } from '../server/context.js';
import { ensureAudience } from '../server/delivery/audience.js';
import { MAILING_SEND_JOB } from '../server/delivery/mailing.service.js';
import { runMailingInChildProcess } from '../server/delivery/isolated-sender.js';

/** Sends one mailing (payload: its id) in a process of its own. Several may run at once; a lease keeps one sender per mailing. */
export const MAILING_SEND = MAILING_SEND_JOB;

export function defineMailingSend(agenda: Agenda, ctx: AppContext): void {
  agenda.define(
    MAILING_SEND,
    async (job) => {
      const { mailingId } = job.attrs.data as { mailingId: string };
      await ensureAudience(mailingId); // here, on this process's contact index: the sending process reads the deliveries
      const outcome = await runMailingInChildProcess(ctx, mailingId, { touch: () => job.touch() });
      ctx.logger.info({ mailing: mailingId, outcome }, 'mailing run ended');
    },
    { concurrency: 3 },
  );
}
