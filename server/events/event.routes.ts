import { Router } from 'express';
import type { AppContext } from '../context.js';
import { idParam, parseBody, parseListQuery, sendList } from '../lib/rest.js';
import { actorOf, allow, READ, WRITE } from '../users/auth.middleware.js';
import { eventCreateBody, eventFilter, eventUpdateBody, registrationFilter, registrationUpdateBody } from './event.schemas.js';
import { createEvent, deleteEvent, EVENT_SORTABLE, getEvent, getEventRecord, listEvents, updateEvent } from './event.service.js';
import { sendEvaluation } from './evaluation.service.js';
import { getRegistration, listRegistrations, placeWaiting, updateRegistration } from './registration.service.js';

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
  return router;
}

/** `/api/event-registrations`: registrants of an event (filter `event`), cancel, check in. */
export function registrationRoutes(ctx: AppContext): Router {
  const router = Router();
  router.get('/', allow(READ), async (req, res) => {
    const query = parseListQuery(req, registrationFilter, { sort: ['registeredAt', 'ASC'], sortable: REGISTRATION_SORTABLE });
    const { items, total } = await listRegistrations(query);
    sendList(res, 'event-registrations', items, total, query.skip);
  });
  router.get('/:id', allow(READ), async (req, res) => res.json(await getRegistration(idParam(req))));
  router.put('/:id', allow(WRITE), async (req, res) => res.json(await updateRegistration(ctx, idParam(req), parseBody(registrationUpdateBody, req.body))));
  return router;
}
