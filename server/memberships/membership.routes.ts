import { Router } from 'express';
import type { AppContext } from '../context.js';
import { idParam, parseBody, parseListQuery, sendList } from '../lib/rest.js';
import { actorOf, allow, READ, WRITE } from '../users/auth.middleware.js';
import { DOCUMENT_CSP, renderMembershipDocument } from './membership.certificate.js';
import { htmlToPdf } from '../lib/pdf.js';
import { suggestMembershipCategory } from './membership.category.js';
import {
  feeScheduleBody,
  feeScheduleFilter,
  feeScheduleUpdateBody,
  membershipCreateBody,
  membershipFilter,
  membershipUpdateBody,
  paymentBody,
  reminderFilter,
  memberQuery,
  stateQuery,
  yearQuery,
} from './membership.schemas.js';
import {
  boardOfYear,
  createFeeSchedule,
  createMembership,
  deleteFeeSchedule,
  deleteMembership,
  getFeeSchedule,
  getMembership,
  listFeeSchedules,
  listMemberships,
  memberStateAt,
  recordPayment,
  updateFeeSchedule,
  updateMembership,
} from './membership.service.js';
import { listReminders, sendDueReminders } from './reminder.service.js';

const sortable = ['year', 'category', 'fee', 'paymentStatus', 'paidAt', 'certificateNumber', 'createdAt', 'id'];

/** `/api/memberships` */
export function membershipRoutes(ctx: AppContext): Router {
  const router = Router();
  router.get('/', allow(READ), async (req, res) => {
    const query = parseListQuery(req, membershipFilter, { sort: ['year', 'DESC'], sortable });
    const { items, total } = await listMemberships(query);
    sendList(res, 'memberships', items, total, query.skip);
  });
  router.get('/suggested-category', allow(READ), async (req, res) => res.json(await suggestMembershipCategory(parseBody(memberQuery, req.query))));
  router.get('/board', allow(READ), async (req, res) => res.json(await boardOfYear(parseBody(yearQuery, req.query).year)));
  router.get('/state/organisation/:id', allow(READ), async (req, res) =>
    res.json(await memberStateAt({ organisation: idParam(req) }, parseBody(stateQuery, req.query).at ?? new Date())),
  );
  router.get('/state/contact/:id', allow(READ), async (req, res) =>
    res.json(await memberStateAt({ contact: idParam(req) }, parseBody(stateQuery, req.query).at ?? new Date())),
  );
  router.post('/reminders/run', allow(WRITE), async (_req, res) => res.json(await sendDueReminders(ctx)));
  router.get('/:id', allow(READ), async (req, res) => res.json(await getMembership(idParam(req))));
  for (const kind of ['certificate', 'receipt'] as const) {
    router.get(`/:id/${kind}.html`, allow(READ), async (req, res) => {
      const { html } = await renderMembershipDocument(idParam(req), kind, ctx.config);
      res.set('Content-Security-Policy', DOCUMENT_CSP).type('html').send(html);
    });
    router.get(`/:id/${kind}.pdf`, allow(READ), async (req, res) => {
      const { html, filename } = await renderMembershipDocument(idParam(req), kind, ctx.config);
      const pdf = await htmlToPdf(html, ctx.config.chromiumPath);
      res.type('application/pdf').attachment(`${filename}.pdf`).send(pdf);
    });
  }
  router.post('/', allow(WRITE), async (req, res) => res.status(201).json(await createMembership(parseBody(membershipCreateBody, req.body), actorOf(res))));
  router.post('/:id/payment', allow(WRITE), async (req, res) => res.json(await recordPayment(idParam(req), parseBody(paymentBody, req.body), actorOf(res))));
  router.put('/:id', allow(WRITE), async (req, res) => res.json(await updateMembership(idParam(req), parseBody(membershipUpdateBody, req.body), actorOf(res))));
  router.delete('/:id', allow(WRITE), async (req, res) => res.json(await deleteMembership(idParam(req))));
  return router;
}

/** `/api/fee-schedules`: one barème per year. */
export function feeScheduleRoutes(): Router {
  const router = Router();
  router.get('/', allow(READ), async (req, res) => {
    const query = parseListQuery(req, feeScheduleFilter, { sort: ['year', 'DESC'], sortable: ['year', 'id'] });
    const { items, total } = await listFeeSchedules(query);
    sendList(res, 'fee-schedules', items, total, query.skip);
  });
  router.get('/:id', allow(READ), async (req, res) => res.json(await getFeeSchedule(idParam(req))));
  router.post('/', allow(WRITE), async (req, res) => res.status(201).json(await createFeeSchedule(parseBody(feeScheduleBody, req.body))));
  router.put('/:id', allow(WRITE), async (req, res) => res.json(await updateFeeSchedule(idParam(req), parseBody(feeScheduleUpdateBody, req.body))));
  router.delete('/:id', allow(WRITE), async (req, res) => res.json(await deleteFeeSchedule(idParam(req))));
  return router;
}

/** `/api/membership-reminders`: who was reminded, when. */
export function reminderRoutes(): Router {
  const router = Router();
  router.get('/', allow(READ), async (req, res) => {
    const query = parseListQuery(req, reminderFilter, { sort: ['createdAt', 'DESC'], sortable: ['createdAt', 'sentAt', 'reminderDate', 'year', 'id'] });
    const { items, total } = await listReminders(query);
    sendList(res, 'membership-reminders', items, total, query.skip);
  });
  return router;
}
