import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { idParam, objectId, parseListQuery, sendList } from '../lib/rest.js';
import { allow, READ, WRITE } from '../users/auth.middleware.js';
import { DELIVERY_STATUSES } from './delivery.model.js';
import { MAILING_STATUSES } from './mailing.model.js';
import { getDelivery, getMailing, listDeliveries, listMailings, mailingProgress, pauseMailing, resumeMailing } from './mailing.service.js';

const mailingFilter = z.strictObject({
  status: z.array(z.enum(MAILING_STATUSES, 'état inconnu')).optional(),
  list: objectId.optional(),
  sourceKind: z.string().max(40).optional(),
  sourceId: z.string().max(40).optional(),
  id: z.array(objectId).optional(),
});
const deliveryFilter = z.strictObject({
  mailing: objectId.optional(),
  contact: objectId.optional(),
  status: z.array(z.enum(DELIVERY_STATUSES, 'état inconnu')).optional(),
  email: z.string().max(320).optional(),
  id: z.array(objectId).optional(),
});

/** Mailings are created by their source (the newsletter); staff read them, pause and resume. */
export function mailingRoutes(ctx: AppContext): Router {
  const router = Router();
  router.get('/', allow(READ), async (req, res) => {
    const query = parseListQuery(req, mailingFilter, { sort: ['createdAt', 'DESC'], sortable: ['createdAt', 'startedAt', 'finishedAt', 'status', 'id'] });
    const { items, total } = await listMailings(query);
    sendList(res, 'mailings', items, total, query.skip);
  });
  router.get('/:id', allow(READ), async (req, res) => res.json(await getMailing(idParam(req))));
  router.get('/:id/progress', allow(READ), async (req, res) => res.json(await mailingProgress(idParam(req))));
  router.post('/:id/pause', allow(WRITE), async (req, res) => res.json(await pauseMailing(idParam(req))));
  router.post('/:id/resume', allow(WRITE), async (req, res) => res.json(await resumeMailing(ctx, idParam(req))));
  return router;
}

export function deliveryRoutes(): Router {
  const router = Router();
  router.get('/', allow(READ), async (req, res) => {
    const query = parseListQuery(req, deliveryFilter, { sort: ['createdAt', 'ASC'], sortable: ['createdAt', 'updatedAt', 'sentAt', 'status', 'email', 'id'] });
    const { items, total } = await listDeliveries(query);
    sendList(res, 'deliveries', items, total, query.skip);
  });
  router.get('/:id', allow(READ), async (req, res) => res.json(await getDelivery(idParam(req))));
  return router;
}
