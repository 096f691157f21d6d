import type { AppContext } from '../server/context.js';
import { defineMembershipReminders, scheduleMembershipReminders } from './membership-reminders.job.js';
import { defineNewsImport, scheduleNewsImport } from './news-import.job.js';
import { defineNewsletterCompile, scheduleNewsletterCompile } from './newsletter-compile.job.js';
import { defineNewsletterSend } from './newsletter-send.job.js';
import { defineCampaignSend } from './campaign-send.job.js';
import { defineCampaignPrepare } from './campaign-prepare.job.js';
import { defineNewsletterFollow, scheduleNewsletterFollow } from './newsletter-follow.job.js';
import { defineImportCommit } from './import-commit.job.js';
import { defineImportUndo } from './import-undo.job.js';
import { definePurgeExpired, schedulePurgeExpired } from './purge-expired.job.js';
import { defineBounceMailbox, scheduleBounceMailbox } from './bounce-mailbox.job.js';
import { defineMailingSend } from './mailing-send.job.js';
import { defineMailingWatchdog, scheduleMailingWatchdog } from './mailing-watchdog.job.js';
import { defineBackup, scheduleBackup } from './backup.job.js';
import { defineOpsTick, scheduleOpsTick } from './ops-tick.job.js';
import { defineEventReminders, scheduleEventReminders } from './event-reminders.job.js';
import { defineSolicitationJobs, scheduleSolicitationJobs } from './contact-mailbox.job.js';

/**
 * Every job type, wired to its service. Definitions are registered in every process (so any
 * process can enqueue); recurring schedules are upserted by the process that runs jobs.
 */
export function defineJobs(ctx: AppContext): void {
  const { agenda } = ctx.scheduler;
  definePurgeExpired(agenda, ctx);
  defineMailingSend(agenda, ctx);
  defineMailingWatchdog(agenda, ctx);
  defineBounceMailbox(agenda, ctx);
  defineBackup(agenda, ctx);
  defineOpsTick(agenda, ctx); // test only, see the file
  defineMembershipReminders(agenda, ctx);
  defineNewsImport(agenda, ctx);
  defineNewsletterCompile(agenda, ctx);
  defineNewsletterSend(agenda, ctx);
  defineCampaignPrepare(agenda, ctx);
  defineCampaignSend(agenda, ctx);
  defineNewsletterFollow(agenda, ctx);
  defineImportCommit(agenda, ctx);
  defineImportUndo(agenda, ctx);
  defineEventReminders(agenda, ctx);
  defineSolicitationJobs(agenda, ctx);
}

export async function scheduleRecurringJobs(ctx: AppContext): Promise<void> {
  const { agenda } = ctx.scheduler;
  await schedulePurgeExpired(agenda);
  await scheduleMailingWatchdog(agenda);
  await scheduleBounceMailbox(agenda, ctx);
  await scheduleBackup(agenda, ctx.config);
  await scheduleOpsTick(agenda, ctx);
  await scheduleMembershipReminders(agenda);
  await scheduleNewsImport(agenda, ctx);
  await scheduleNewsletterCompile(agenda, ctx);
  await scheduleNewsletterFollow(agenda);
  await scheduleEventReminders(agenda);
  await scheduleSolicitationJobs(agenda, ctx);
}
