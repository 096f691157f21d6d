import { Router } from 'express';
import { publicPageErrors } from '../public/page-errors.js';
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
import { AppError, notFound } from '../lib/errors.js';
import { newsCreateBody } from '../news/news.schemas.js';
import { pollContactMailbox } from './contact-mailbox.js';
import { AnswerTemplate, Solicitation } from './solicitation.model.js';
import { answerSolicitation, newsDraftOf, publishAsNews } from './solicitation.answer.js';
import { solicitationDir } from './solicitation.service.js';
import { workSummary } from './solicitation.worklist.js';
import path from 'node:path';

const sortable = ['unread', 'receivedAt', 'status', 'type', 'requesterType', 'channel', 'answeredAt', 'timeSpentMinutes', 'createdAt', 'id'];
const statusQuery = z.strictObject({ year: z.coerce.number('doit être une année').int().min(2000).max(2100).optional() });

const answerBody = z.strictObject({
  text: z.string('doit être un texte').trim().min(1, 'la réponse est vide').max(20_000, '20 000 caractères au plus'),
  timeSpentMinutes: z.number('doit être un nombre de minutes').int().min(0).max(10_000).optional(),
});

/** `/api/solicitations` */
export function solicitationRoutes(ctx: AppContext): Router {
  const router = Router();
  router.get('/work', allow(READ), async (_req, res) => res.json(await workSummary(ctx)));
  router.post('/mailbox/poll', allow(WRITE), async (_req, res) => res.json(await pollContactMailbox(ctx)));
  router.post('/:id/read', allow(WRITE), async (req, res) => {
    const id = idParam(req);
    if (!(await Solicitation.exists({ _id: id }))) throw notFound('Sollicitation');
    await Solicitation.updateOne({ _id: id }, { $set: { unread: false } });
    res.json(await getSolicitation(id));
  });
  router.post('/:id/answer', allow(WRITE), async (req, res) => res.json(await answerSolicitation(ctx, idParam(req), parseBody(answerBody, req.body), actorOf(res))));
  router.get('/:id/news-draft', allow(READ), async (req, res) => res.json(await newsDraftOf(idParam(req))));
  router.post('/:id/publish', allow(WRITE), async (req, res) => res.status(201).json(await publishAsNews(ctx, idParam(req), parseBody(newsCreateBody, req.body), actorOf(res))));
  router.get('/:id/attachments/:attachment', allow(READ), async (req, res) => {
    const id = idParam(req);
    const attachmentId = idParam(req, 'attachment');
    const solicitation = await Solicitation.findById(id, { messages: 1 }).lean();
    const attachment = solicitation?.messages.flatMap((m) => m.attachments).find((a) => String(a._id) === attachmentId);
    if (!attachment?.stored) throw notFound('Pièce jointe');
    res.attachment(attachment.filename).type(attachment.contentType).sendFile(path.join(solicitationDir(ctx.config.dataDir, id), attachment.stored));
  });
  router.get('/', allow(READ), async (req, res) => {
    const query = parseListQuery(req, solicitationFilter, { sort: ['unread', 'DESC'], sortable });
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

const templateBody = z.strictObject({
  name: z.string('doit être un texte').trim().min(1, 'le nom est obligatoire').max(120, '120 caractères au plus'),
  body: z.string('doit être un texte').trim().min(1, 'le texte est obligatoire').max(20_000, '20 000 caractères au plus'),
});
const templateUpdate = templateBody.extend({ id: z.unknown().optional(), createdAt: z.unknown().optional(), updatedAt: z.unknown().optional() }).partial();

/** `/api/solicitation-templates`: saved answers. */
export function answerTemplateRoutes(): Router {
  const router = Router();
  router.get('/', allow(READ), async (_req, res) => {
    const items = (await AnswerTemplate.find().sort({ name: 1 }).lean()).map(({ _id, ...t }) => ({ id: String(_id), ...t }));
    sendList(res, 'solicitation-templates', items, items.length, 0);
  });
  router.get('/:id', allow(READ), async (req, res) => {
    const found = await AnswerTemplate.findById(idParam(req)).lean();
    if (!found) throw notFound('Modèle de réponse');
    res.json({ ...found, id: String(found._id) });
  });
  router.post('/', allow(WRITE), async (req, res) => {
    const created = await AnswerTemplate.create(parseBody(templateBody, req.body));
    res.status(201).json({ ...created.toObject(), id: String(created._id) });
  });
  router.put('/:id', allow(WRITE), async (req, res) => {
    const { id: _id, createdAt: _c, updatedAt: _u, ...changes } = parseBody(templateUpdate, req.body);
    const updated = await AnswerTemplate.findByIdAndUpdate(idParam(req), { $set: changes }, { new: true }).lean();
    if (!updated) throw notFound('Modèle de réponse');
    res.json({ ...updated, id: String(updated._id) });
  });
  router.delete('/:id', allow(WRITE), async (req, res) => {
    const removed = await AnswerTemplate.findByIdAndDelete(idParam(req)).lean();
    if (!removed) throw notFound('Modèle de réponse');
    res.json({ ...removed, id: String(removed._id) });
  });
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
  router.use(publicPageErrors(ctx.config, ctx.logger)); // 429 and 500 as French pages, like /abonnement
  return router;
}

const FORM_LABELS: Record<string, string> = { type: 'Objet de la demande', requesterType: 'Vous êtes' };
function formMessage(error: AppError): string {
  const label = error.field ? FORM_LABELS[error.field] : undefined;
  return label ? `Le champ « ${label} » contient une valeur inconnue.` : error.message;
}
