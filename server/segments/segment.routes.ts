import { Router } from 'express';
import { exportContactsCsv, exportContactsJson } from '../contacts/contact.export.js';
import { sendExport } from '../contacts/contact.routes.js';
import { contactFilter } from '../contacts/contact.schemas.js';
import { CONTACT_SORTABLE, listContacts } from '../contacts/contact.service.js';
import { idParam, parseBody, parseListQuery, sendList } from '../lib/rest.js';
import { actorOf, allow, READ, WRITE } from '../users/auth.middleware.js';
import { segmentCreateBody, segmentListFilter, segmentUpdateBody } from './segment.schemas.js';
import {
  countSegment,
  createSegment,
  deleteSegment,
  getSegmentWithCount,
  listSegments,
  segmentContactQuery,
  updateSegment,
} from './segment.service.js';

export function segmentRoutes(): Router {
  const router = Router();
  router.get('/', allow(READ), async (req, res) => {
    const query = parseListQuery(req, segmentListFilter, { sort: ['name', 'ASC'], sortable: ['name', 'createdAt', 'updatedAt', 'id'] });
    const { items, total } = await listSegments(query);
    sendList(res, 'segments', items, total, query.skip);
  });
  router.get('/:id', allow(READ), async (req, res) => res.json(await getSegmentWithCount(idParam(req))));
  router.get('/:id/count', allow(READ), async (req, res) => res.json({ count: await countSegment(idParam(req)) }));
  router.get('/:id/contacts', allow(READ), async (req, res) => {
    const id = idParam(req);
    await getSegmentWithCount(id); // 404 before parsing
    const query = parseListQuery(req, contactFilter.omit({ segment: true }), { sort: ['sortName', 'ASC'], sortable: [...CONTACT_SORTABLE] });
    const { items, total } = await listContacts({ ...query, filter: { ...query.filter, segment: id } });
    sendList(res, 'contacts', items, total, query.skip);
  });
  router.get('/:id/export.csv', allow(WRITE), async (req, res) => {
    sendExport(res, 'csv', 'segment', exportContactsCsv(await segmentContactQuery(idParam(req))));
  });
  router.get('/:id/export.json', allow(WRITE), async (req, res) => {
    sendExport(res, 'json', 'segment', exportContactsJson(await segmentContactQuery(idParam(req))));
  });
  router.post('/', allow(WRITE), async (req, res) => res.status(201).json(await createSegment(parseBody(segmentCreateBody, req.body), actorOf(res))));
  router.put('/:id', allow(WRITE), async (req, res) => res.json(await updateSegment(idParam(req), parseBody(segmentUpdateBody, req.body), actorOf(res))));
  router.delete('/:id', allow(WRITE), async (req, res) => res.json(await deleteSegment(idParam(req))));
  return router;
}
