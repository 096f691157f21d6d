import type { Agenda } from 'agenda';
import type { AppContext } from '../server/context.js';
import { scheduleRecurring } from '../server/lib/scheduler.js';
import { importNewsFeed } from '../server/news/news.import.js';

/** Imports the website's feed (NEWS_FEED_URL) on a schedule; already imported items are skipped. */
export const NEWS_IMPORT = 'news:import';

export function defineNewsImport(agenda: Agenda, ctx: AppContext): void {
  agenda.define(NEWS_IMPORT, async () => {
    const url = ctx.config.news.feedUrl;
    if (!url) return;
    const result = await importNewsFeed({ url }, { allowHosts: ctx.config.fetchAllowHosts });
    ctx.logger.info({ created: result.created, skipped: result.skipped, unmapped: result.unmappedLabels.length }, 'news feed imported');
  });
}

export async function scheduleNewsImport(agenda: Agenda, ctx: AppContext): Promise<void> {
  if (!ctx.config.news.feedUrl) return;
  await scheduleRecurring(agenda, ctx.config.news.importCron, NEWS_IMPORT, { timezone: 'Europe/Paris', skipImmediate: true });
}
