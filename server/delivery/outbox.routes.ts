import { Router } from 'express';
import { z } from 'zod';
import { notFound } from '../lib/errors.js';
import { escapeRegExp } from '../lib/normalize.js';
import { idParam, objectId, parseListQuery, sendList } from '../lib/rest.js';
import { allow, WRITE } from '../users/auth.middleware.js';
import { Outbox } from './outbox.model.js';

const filter = z.strictObject({
  q: z.string().max(200).optional(),
  to: z.string().max(320).optional(),
  stream: z.enum(['bulk', 'transactional']).optional(),
  id: z.array(objectId).optional(),
});

/** GET /api/outbox: the local outbox (development without SMTP_URL), newest first. */
export function outboxRoutes(): Router {
  const router = Router();
  router.get('/', allow(WRITE), async (req, res) => {
    const query = parseListQuery(req, filter, { sort: ['createdAt', 'DESC'], sortable: ['createdAt', 'to', 'subject', 'id'] });
    const where: Record<string, unknown> = {};
    if (query.filter.to) where.to = query.filter.to;
    if (query.filter.stream) where.stream = query.filter.stream;
    if (query.filter.q) where.subject = new RegExp(escapeRegExp(query.filter.q), 'i');
    if (query.filter.id) where._id = { $in: query.filter.id };
    const [items, total] = await Promise.all([
      Outbox.find(where).sort({ [query.sort.field]: query.sort.order }).skip(query.skip).limit(query.limit),
      Outbox.countDocuments(where),
    ]);
    sendList(res, 'outbox', items, total, query.skip);
  });
  router.get('/:id', allow(WRITE), async (req, res) => {
    const message = await Outbox.findById(idParam(req));
    if (!message) throw notFound('Message');
    res.json(message);
  });
  return router;
}
