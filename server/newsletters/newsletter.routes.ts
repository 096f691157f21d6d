import { Router } from 'express';
import type { AppContext } from '../context.js';
import { withId } from '../lib/db.js';
import { conflict } from '../lib/errors.js';
import { idParam, parseBody, parseListQuery, sendList } from '../lib/rest.js';
import { actorOf, allow, READ, WRITE } from '../users/auth.middleware.js';
import type { NewsletterRecord } from './newsletter.model.js';
import { compileBody, newsletterFilter, newsletterUpdateBody, sendBody, testBody } from './newsletter.schemas.js';
import {
  approveNewsletter,
  compileNewsletter,
  deleteNewsletter,
  getNewsletter,
  getNewsletterRecord,
  listNewsletters,
  newsletterReview,
  previewContent,
  reopenNewsletter,
  sendNewsletter,
  sendTestNewsletter,
  updateNewsletter,
} from './newsletter.service.js';

/** The API view of an issue: everything but the compiled HTML (served by the previews). */
function toApi(issue: NewsletterRecord | { toObject(): unknown } | null) {
  const plain = (issue && 'toObject' in issue ? issue.toObject() : issue) as NewsletterRecord;
  const { content, webHtml: _web, ...rest } = withId(plain);
  return { ...rest, subject: content?.subject, items: rest.items.map(String), excluded: rest.excluded.map(String) };
}

/** `/api/newsletters`: compile a month, edit the draft, preview, test, approve, send, follow. */
export function newsletterRoutes(ctx: AppContext): Router {
  const router = Router();
  router.get('/', allow(READ), async (req, res) => {
    const query = parseListQuery(req, newsletterFilter, { sort: ['month', 'DESC'], sortable: ['month', 'status', 'createdAt', 'sentAt', 'id'] });
    const { items, total } = await listNewsletters(query);
    sendList(res, 'newsletters', items, total, query.skip);
  });
  router.post('/compile', allow(WRITE), async (req, res) => {
    const { month } = parseBody(compileBody, req.body);
    const { issue, outcome } = await compileNewsletter(ctx, month);
    if (outcome === 'unchanged') throw conflict(`La lettre de ce mois est déjà ${issue.status === 'approved' ? 'approuvée' : 'envoyée'} : elle n'est plus recompilée.`, 'month');
    res.status(outcome === 'created' ? 201 : 200).json(toApi(issue));
  });
  router.get('/:id', allow(READ), async (req, res) => {
    const issue = await getNewsletter(idParam(req));
    res.json({ ...toApi(issue), ...(await newsletterReview(issue)) });
  });
  router.get('/:id/preview.html', allow(READ), async (req, res) => {
    res.type('html').send(previewContent(ctx.config, await getNewsletterRecord(idParam(req))).html);
  });
  router.get('/:id/preview.txt', allow(READ), async (req, res) => {
    res.type('text/plain; charset=utf-8').send(previewContent(ctx.config, await getNewsletterRecord(idParam(req))).text);
  });
  router.put('/:id', allow(WRITE), async (req, res) => res.json(toApi(await updateNewsletter(ctx, idParam(req), parseBody(newsletterUpdateBody, req.body)))));
  router.delete('/:id', allow(WRITE), async (req, res) => res.json(toApi(await deleteNewsletter(idParam(req)))));
  router.post('/:id/test', allow(WRITE), async (req, res) => {
    const { emails } = parseBody(testBody, req.body);
    res.json(await sendTestNewsletter(ctx, idParam(req), emails, actorOf(res)));
  });
  router.post('/:id/approve', allow(WRITE), async (req, res) => res.json(toApi(await approveNewsletter(ctx, idParam(req), actorOf(res)))));
  router.post('/:id/reopen', allow(WRITE), async (req, res) => res.json(toApi(await reopenNewsletter(idParam(req)))));
  router.post('/:id/send', allow(WRITE), async (req, res) => {
    const { at } = parseBody(sendBody, req.body);
    res.status(202).json(toApi(await sendNewsletter(ctx, idParam(req), { at }, actorOf(res))));
  });
  return router;
}
