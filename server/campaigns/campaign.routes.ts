import { Router } from 'express';
import type { AppContext } from '../context.js';
import { withId } from '../lib/db.js';
import { idParam, parseBody, parseListQuery, sendList } from '../lib/rest.js';
import { actorOf, allow, READ, WRITE } from '../users/auth.middleware.js';
import { campaignCreateBody, campaignFilter, campaignPreviewBody, campaignSendBody, campaignTestBody, campaignUpdateBody } from './campaign.schemas.js';
import {
  approveCampaign,
  cancelCampaign,
  createCampaign,
  deleteCampaign,
  duplicateCampaign,
  getCampaign,
  listCampaigns,
  pauseCampaign,
  previewCampaign,
  previewDraft,
  reopenCampaign,
  resendCampaignUncertain,
  resumeCampaign,
  sendCampaign,
  sendTestCampaign,
  updateCampaign,
} from './campaign.service.js';

/** The API view: ids as strings, never the compiled web version. */
function toApi(campaign: unknown) {
  const plain = (campaign && typeof campaign === 'object' && 'toObject' in campaign ? (campaign as { toObject(): object }).toObject() : campaign) as Record<string, unknown>;
  const { webHtml: _web, ...rest } = withId(plain as never) as Record<string, unknown>;
  return rest;
}

/** `/api/campaigns`: write, preview, test, approve (audience frozen), send or schedule, follow, pause, resume, cancel. */
export function campaignRoutes(ctx: AppContext): Router {
  const router = Router();
  router.get('/', allow(READ), async (req, res) => {
    const query = parseListQuery(req, campaignFilter, { sort: ['createdAt', 'DESC'], sortable: ['createdAt', 'updatedAt', 'subject', 'status', 'sentAt', 'id'] });
    const { items, total } = await listCampaigns(query);
    sendList(res, 'campaigns', items, total, query.skip);
  });
  router.post('/', allow(WRITE), async (req, res) => res.status(201).json(toApi(await createCampaign(ctx, parseBody(campaignCreateBody, req.body), actorOf(res)))));
  // the editor's live preview: renders what is being written, saves nothing
  router.post('/preview', allow(WRITE), async (req, res) => res.json({ html: (await previewDraft(ctx.config, parseBody(campaignPreviewBody, req.body))).html }));
  router.get('/:id', allow(READ), async (req, res) => res.json(toApi(await getCampaign(idParam(req)))));
  router.put('/:id', allow(WRITE), async (req, res) => {
    await updateCampaign(ctx, idParam(req), parseBody(campaignUpdateBody, req.body));
    res.json(toApi(await getCampaign(idParam(req))));
  });
  router.delete('/:id', allow(WRITE), async (req, res) => res.json(toApi(await deleteCampaign(idParam(req)))));
  router.get('/:id/preview.html', allow(READ), async (req, res) => res.type('html').send((await previewCampaign(ctx.config, idParam(req))).html));
  router.get('/:id/preview.txt', allow(READ), async (req, res) => res.type('text/plain; charset=utf-8').send((await previewCampaign(ctx.config, idParam(req))).text));
  router.post('/:id/test', allow(WRITE), async (req, res) => res.json(await sendTestCampaign(ctx, idParam(req), parseBody(campaignTestBody, req.body).emails, actorOf(res))));
  router.post('/:id/duplicate', allow(WRITE), async (req, res) => res.status(201).json(toApi(await duplicateCampaign(idParam(req), actorOf(res)))));
  router.post('/:id/approve', allow(WRITE), async (req, res) => {
    await approveCampaign(ctx, idParam(req), actorOf(res));
    res.json(toApi(await getCampaign(idParam(req))));
  });
  router.post('/:id/reopen', allow(WRITE), async (req, res) => res.json(toApi(await reopenCampaign(idParam(req)))));
  router.post('/:id/send', allow(WRITE), async (req, res) => {
    await sendCampaign(ctx, idParam(req), parseBody(campaignSendBody, req.body ?? {}));
    res.status(202).json(toApi(await getCampaign(idParam(req))));
  });
  router.post('/:id/pause', allow(WRITE), async (req, res) => res.json(toApi(await pauseCampaign(idParam(req)))));
  router.post('/:id/resume', allow(WRITE), async (req, res) => res.json(toApi(await resumeCampaign(ctx, idParam(req)))));
  router.post('/:id/cancel', allow(WRITE), async (req, res) => res.json(toApi(await cancelCampaign(idParam(req)))));
  router.post('/:id/resend-uncertain', allow(WRITE), async (req, res) => res.status(202).json(await resendCampaignUncertain(ctx, idParam(req), actorOf(res))));
  return router;
}
