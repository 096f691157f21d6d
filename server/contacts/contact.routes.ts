import { Router, type Request, type Response } from 'express';
import { Readable } from 'node:stream';
import { eraseRegistrationsOf } from '../events/registration.erase.js';
import { idParam, parseBody, parseListQuery, sendList } from '../lib/rest.js';
import { actorOf, ADMIN, allow, READ, WRITE } from '../users/auth.middleware.js';
import { exportContactsCsv, exportContactsJson } from './contact.export.js';
import { contactQuery } from './contact.filter.js';
import { contactCreateBody, contactFilter, contactUpdateBody, mergeBody } from './contact.schemas.js';
import {
  CONTACT_SORTABLE,
  contactHistory,
  createContact,
  deleteContact,
  eraseContact,
  exportContactData,
  findDuplicates,
  getContact,
  listContacts,
  mergeContacts,
  updateContact,
} from './contact.service.js';

const listDefaults = { sort: ['sortName', 'ASC'] as [string, 'ASC'], sortable: [...CONTACT_SORTABLE, 'lastName', 'name'] };

/** Streams an export (CSV or JSON) as a download. */
export async function sendExport(res: Response, format: 'csv' | 'json', name: string, lines: AsyncGenerator<string>) {
  const first = await lines.next(); // errors (bad filter) surface before the headers are sent
  res.set('Content-Type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8');
  res.set('Content-Disposition', `attachment; filename="${name}-${new Date().toISOString().slice(0, 10)}.${format}"`);
  async function* all() {
    if (!first.done) yield first.value;
    yield* lines;
  }
  Readable.from(all()).pipe(res);
}

async function exportFilter(req: Request) {
  return contactQuery(parseListQuery(req, contactFilter, listDefaults).filter);
}

export function contactRoutes(): Router {
  const router = Router();
  router.get('/', allow(READ), async (req, res) => {
    const query = parseListQuery(req, contactFilter, listDefaults);
    const { items, total } = await listContacts(query);
    sendList(res, 'contacts', items, total, query.skip);
  });
  router.get('/duplicates', allow(READ), async (_req, res) => res.json(await findDuplicates()));
  router.get('/export.csv', allow(WRITE), async (req, res) => sendExport(res, 'csv', 'contacts', exportContactsCsv(await exportFilter(req))));
  router.get('/export.json', allow(WRITE), async (req, res) => sendExport(res, 'json', 'contacts', exportContactsJson(await exportFilter(req))));
  router.get('/:id', allow(READ), async (req, res) => res.json(await getContact(idParam(req))));
  router.get('/:id/history', allow(READ), async (req, res) => res.json(await contactHistory(idParam(req))));
  router.get('/:id/rgpd-export', allow(WRITE), async (req, res) => res.json(await exportContactData(idParam(req))));
  router.post('/', allow(WRITE), async (req, res) => res.status(201).json(await createContact(parseBody(contactCreateBody, req.body), actorOf(res))));
  router.put('/:id', allow(WRITE), async (req, res) => res.json(await updateContact(idParam(req), parseBody(contactUpdateBody, req.body), actorOf(res))));
  router.delete('/:id', allow(WRITE), async (req, res) => res.json(await deleteContact(idParam(req), actorOf(res))));
  router.post('/:id/merge', allow(WRITE), async (req, res) => {
    const id = idParam(req);
    res.json(await mergeContacts(id, parseBody(mergeBody, req.body).source, actorOf(res)));
  });
  router.post('/:id/erase', allow(ADMIN), async (req, res) => {
    const contact = await eraseContact(idParam(req), actorOf(res));
    await eraseRegistrationsOf(contact._id); // events sit above contacts: the edge erases both
    res.json(contact);
  });
  return router;
}
