import type { Agenda } from 'agenda';
import type { AppContext } from '../server/context.js';
import { CAMPAIGN_PREPARE_JOB, prepareCampaign } from '../server/campaigns/campaign.service.js';

/**
 * Freezes the audience of a campaign staff just approved (payload: its id), on this process's
 * contact index; the campaign is re-read, never trusted from the payload. After a crash the
 * watchdog enqueues it again and the preparation goes on where it stopped.
 */
export function defineCampaignPrepare(agenda: Agenda, ctx: AppContext): void {
  agenda.define(CAMPAIGN_PREPARE_JOB, async (job: { attrs: { data?: { campaignId?: string } } }) => {
    const id = job.attrs.data?.campaignId;
    if (!id) return;
    const outcome = await prepareCampaign(ctx, id);
    ctx.logger.info({ campaign: id, outcome }, 'campaign preparation ended');
  });
}
