import { Router } from 'express';
import type { AppContext } from '../context.js';
import { idParam, parseBody, parseListQuery, sendList } from '../lib/rest.js';
import { actorOf, allow, READ, WRITE } from '../users/auth.middleware.js';
import { subscriptionCreateBody, subscriptionFilter, subscriptionUpdateBody } from './subscription.schemas.js';
import { getSubscription, subscribeByStaff, listSubscriptions, updateSubscription } from './subscription.service.js';

/** Subscriptions are never deleted (they hold consent proofs): staff unsubscribe instead. */
export function subscriptionRoutes(ctx: AppContext): Router {
  const router = Router();
  router.get('/', allow(READ), async (req, res) => {
    const query = parseListQuery(req, subscriptionFilter, { sort: ['createdAt', 'DESC'], sortable: ['createdAt', 'updatedAt', 'status', 'id'] });
    const { items, total } = await listSubscriptions(query);
    sendList(res, 'subscriptions', items, total, query.skip);
  });
  router.get('/:id', allow(READ), async (req, res) => res.json(await getSubscription(idParam(req))));
  router.post('/', allow(WRITE), async (req, res) => res.status(201).json(await subscribeByStaff(ctx, parseBody(subscriptionCreateBody, req.body), actorOf(res))));
  router.put('/:id', allow(WRITE), async (req, res) => res.json(await updateSubscription(idParam(req), parseBody(subscriptionUpdateBody, req.body), actorOf(res))));
  return router;
}
