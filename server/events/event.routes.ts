import { Router } from 'express';
import { z } from 'zod';
import { createSegment } from '../segments/segment.service.js';
import { badRequest } from '../lib/errors.js';
import { importAttendance } from './attendance.service.js';
import { attendanceListCsv, attendanceListPdf, badgesPdf, registrationsCsv, type EventDocument } from './event.documents.js';
import { eventFigures } from './event.figures.js';
import type { AppContext } from '../context.js';
import { idParam, parseBody, parseListQuery, sendList } from '../lib/rest.js';
import { actorOf, allow, READ, WRITE } from '../users/auth.middleware.js';
import { eventCreateBody, eventFilter, eventUpdateBody, registrationFilter, registrationUpdateBody } from './event.schemas.js';
import { createEvent, deleteEvent, EVENT_SORTABLE, getEvent, getEventRecord, listEvents, updateEvent } from './event.service.js';
import { sendEvaluation } from './evaluation.service.js';
import { contactIdsForEvent, getRegistration, listRegistrations, placeWaiting, updateRegistration } from './registration.service.js';

const attendanceBody = z.strictObject({ file: z.base64('fichier attendu en base64').min(1, 'fichier vide').max(1_000_000, 'fichier trop volumineux (700 Ko au plus)') });
const segmentBody = z.strictObject({ attended: z.boolean().default(false) });
const REGISTRATION_SORTABLE = ['registeredAt', 'lastName', 'firstName', 'status', 'organisationName', 'id'];

/** `/api/events`: the admin's "Rencontres". */
export function eventRoutes(ctx: AppContext): Router {
  const router = Router();
  router.get('/', allow(READ), async (req, res) => {
    const query = parseListQuery(req, eventFilter, { sort: ['startsAt', 'DESC'], sortable: EVENT_SORTABLE });
    const { items, total } = await listEvents(query, ctx.config);
    sendList(res, 'events', items, total, query.skip);
  });
  router.get('/:id', allow(READ), async (req, res) => res.json(await getEvent(idParam(req), ctx.config)));
  router.post('/', allow(WRITE), async (req, res) => {
    const event = await createEvent(parseBody(eventCreateBody, req.body), actorOf(res));
    res.status(201).json(await getEvent(event.id, ctx.config));
  });
  router.put('/:id', allow(WRITE), async (req, res) => {
    const id = idParam(req);
    await updateEvent(id, parseBody(eventUpdateBody, req.body), actorOf(res));
    await placeWaiting(ctx, await getEventRecord(id)); // a larger capacity seats the waiting list
    res.json(await getEvent(id, ctx.config));
  });
  router.delete('/:id', allow(WRITE), async (req, res) => res.json(await deleteEvent(idParam(req))));
  router.post('/:id/evaluation', allow(WRITE), async (req, res) => res.json(await sendEvaluation(ctx, idParam(req))));
  router.get('/:id/figures', allow(READ), async (req, res) => res.json(await eventFigures(idParam(req))));
  router.post('/:id/attendance', allow(WRITE), async (req, res) => {
    const { file } = parseBody(attendanceBody, req.body);
    res.json(await importAttendance(idParam(req), Buffer.from(file, 'base64')));
  });
  const sendDocument = (res: import('express').Response, type: string, { filename, body }: EventDocument) => res.type(type).attachment(filename).send(body);
  const CSV = 'text/csv; charset=utf-8';
  router.get('/:id/attendance.csv', allow(READ), async (req, res) => sendDocument(res, CSV, await attendanceListCsv(idParam(req))));
  router.get('/:id/attendance.pdf', allow(READ), async (req, res) => sendDocument(res, 'application/pdf', await attendanceListPdf(idParam(req), ctx.config)));
  router.get('/:id/badges.pdf', allow(READ), async (req, res) => sendDocument(res, 'application/pdf', await badgesPdf(idParam(req), ctx.config)));
  router.get('/:id/registrations.csv', allow(READ), async (req, res) => sendDocument(res, CSV, await registrationsCsv(idParam(req))));
  router.post('/:id/segment', allow(WRITE), async (req, res) => {
    const id = idParam(req);
    const { attended } = parseBody(segmentBody, req.body);
    const event = await getEventRecord(id);
    const contacts = await contactIdsForEvent(id, { attended });
    if (!contacts.length) throw badRequest(attended ? "Personne n'est encore marqué présent à cette rencontre." : "Cette rencontre n'a pas encore d'inscrit·es.", 'attended');
    const name = `${attended ? 'Participant·es' : 'Inscrit·es'} — ${event.title}`;
    const filter = { events: [id], ...(attended ? { eventAttendance: 'present' as const } : {}) };
    const segment = await createSegment({ name, description: `Créé depuis la rencontre du ${event.start.slice(0, 10)} : suit ses inscriptions.`, filter }, actorOf(res));
    res.status(201).json({ id: String(segment._id), name, count: contacts.length });
  });
  return router;
}

/** `/api/registrations`: registrants of an event (filter `event`), cancel, check in. */
export function registrationRoutes(ctx: AppContext): Router {
  const router = Router();
  router.get('/', allow(READ), async (req, res) => {
    const query = parseListQuery(req, registrationFilter, { sort: ['registeredAt', 'ASC'], sortable: REGISTRATION_SORTABLE });
    const { items, total } = await listRegistrations(query);
    sendList(res, 'registrations', items, total, query.skip);
  });
  router.get('/:id', allow(READ), async (req, res) => res.json(await getRegistration(idParam(req))));
  router.put('/:id', allow(WRITE), async (req, res) => res.json(await updateRegistration(ctx, idParam(req), parseBody(registrationUpdateBody, req.body))));
  return router;
}
