import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { idParam, parseBody, parseListQuery, sendList } from '../lib/rest.js';
import { rateLimit } from '../lib/rate-limit.js';
import { actorOf, allow, READ, WRITE } from '../users/auth.middleware.js';
import { solicitationForm, solicitationThanks } from './solicitation.page.js';
import { publicSolicitationBody, solicitationCreateBody, solicitationFilter, solicitationUpdateBody } from './solicitation.schemas.js';
import {
  countByStatus,
  createSolicitation,
  deleteSolicitation,
  getSolicitation,
  listSolicitations,
  receivePublicSolicitation,
  updateSolicitation,
} from './solicitation.service.js';
import { AppError } from '../lib/errors.js';

const sortable = ['receivedAt', 'status', 'type', 'requesterType', 'channel', 'answeredAt', 'timeSpentMinutes', 'createdAt', 'id'];
const statusQuery = z.strictObject({ year: z.coerce.number('doit être une année').int().min(2000).max(2100).optional() });

/** `/api/solicitations` */
export function solicitationRoutes(): Router {
  const router = Router();
  router.get('/', allow(READ), async (req, res) => {
    const query = parseListQuery(req, solicitationFilter, { sort: ['receivedAt', 'DESC'], sortable });
    const { items, total } = await listSolicitations(query);
    sendList(res, 'solicitations', items, total, query.skip);
  });
  router.get('/by-status', allow(READ), async (req, res) => res.json(await countByStatus(parseBody(statusQuery, req.query).year)));
  router.get('/:id', allow(READ), async (req, res) => res.json(await getSolicitation(idParam(req))));
  router.post('/', allow(WRITE), async (req, res) => res.status(201).json(await createSolicitation(parseBody(solicitationCreateBody, req.body), actorOf(res))));
  router.put('/:id', allow(WRITE), async (req, res) => res.json(await updateSolicitation(idParam(req), parseBody(solicitationUpdateBody, req.body), actorOf(res))));
  router.delete('/:id', allow(WRITE), async (req, res) => res.json(await deleteSolicitation(idParam(req))));
  return router;
}

/** `GET/POST /sollicitation`: the public request form (no login, no JavaScript). */
export function publicSolicitationRoutes(ctx: AppContext): Router {
  const router = Router();
  router.get('/', rateLimit({ name: 'solicitation-page', max: 60, windowMs: 60_000 }), async (_req, res) => {
    res.type('html').send(await solicitationForm(ctx.config));
  });
  router.post('/', rateLimit({ name: 'solicitation-form', max: 5, windowMs: 15 * 60_000 }), async (req, res) => {
    const values = (req.body ?? {}) as Record<string, unknown>;
    const parsed = publicSolicitationBody.safeParse(values);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return res.status(400).type('html').send(await solicitationForm(ctx.config, { values, error: { field: String(issue.path[0] ?? ''), message: issue.message } }));
    }
    // A robot filled the hidden field: answer as if all went well, keep nothing.
    if (parsed.data.site) return res.type('html').send(solicitationThanks(ctx.config));
    try {
      await receivePublicSolicitation(ctx, parsed.data);
    } catch (error) {
      if (!(error instanceof AppError) || error.status !== 400) throw error;
      return res.status(400).type('html').send(await solicitationForm(ctx.config, { values, error: { field: error.field ?? '', message: formMessage(error) } }));
    }
    res.type('html').send(solicitationThanks(ctx.config));
  });
  return router;
}

const FORM_LABELS: Record<string, string> = { type: 'Objet de la demande', requesterType: 'Vous êtes' };
function formMessage(error: AppError): string {
  const label = error.field ? FORM_LABELS[error.field] : undefined;
  return label ? `Le champ « ${label} » contient une valeur inconnue.` : error.message;
}
