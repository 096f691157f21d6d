import { Router } from 'express';
import { z } from 'zod';
import { objectId, parseListQuery, sendList } from '../lib/rest.js';
import { allow, READ } from '../users/auth.middleware.js';
import { HISTORY_ACTIONS, HISTORY_RESOURCES } from './history.model.js';
import { listHistory } from './history.service.js';

const filter = z.strictObject({
  resource: z.enum(HISTORY_RESOURCES).optional(),
  record: objectId.optional(),
  action: z.enum(HISTORY_ACTIONS).optional(),
});

/** `/api/history`: read-only, newest first. */
export function historyRoutes(): Router {
  const router = Router();
  router.get('/', allow(READ), async (req, res) => {
    const query = parseListQuery(req, filter, { sort: ['at', 'DESC'], sortable: ['at', 'id'] });
    const { items, total } = await listHistory(query);
    sendList(res, 'history', items, total, query.skip);
  });
  return router;
}
