import type { Agenda } from 'agenda';
import type { AppContext } from '../server/context.js';
import { CAMPAIGN_SEND_JOB, getCampaignRecord, startCampaignSending } from '../server/campaigns/campaign.service.js';

/** Sends an approved campaign at the time staff chose; the campaign is re-read, never trusted from the payload. */
export function defineCampaignSend(agenda: Agenda, ctx: AppContext): void {
  agenda.define(CAMPAIGN_SEND_JOB, async (job: { attrs: { data?: { campaignId?: string } } }) => {
    const id = job.attrs.data?.campaignId;
    if (!id) return;
    const campaign = await getCampaignRecord(id);
    // Reopened, cancelled or rescheduled since: this run is stale.
    if (campaign.status !== 'approved' || !campaign.scheduledAt || campaign.scheduledAt.getTime() > Date.now() + 1000) return;
    await startCampaignSending(ctx, id);
  });
}
