import { Router } from 'express';
import { refreshContactsOfOrganisation } from '../contacts/contact.service.js';
import { historyOf } from '../history/history.service.js';
import { idParam, parseBody, parseListQuery, sendList } from '../lib/rest.js';
import { actorOf, allow, READ, WRITE } from '../users/auth.middleware.js';
import { organisationCreateBody, organisationFilter, organisationUpdateBody } from './organisation.schemas.js';
import { createOrganisation, deleteOrganisation, FIELDS_COPIED_TO_CONTACTS, getOrganisation, listOrganisations, updateOrganisation } from './organisation.service.js';

const sortable = ['name', 'type', 'createdAt', 'updatedAt', 'id'];

export function organisationRoutes(): Router {
  const router = Router();
  router.get('/', allow(READ), async (req, res) => {
    const query = parseListQuery(req, organisationFilter, { sort: ['name', 'ASC'], sortable });
    const { items, total } = await listOrganisations(query);
    sendList(res, 'organisations', items, total, query.skip);
  });
  router.get('/:id', allow(READ), async (req, res) => res.json(await getOrganisation(idParam(req))));
  router.get('/:id/history', allow(READ), async (req, res) => {
    const id = idParam(req);
    await getOrganisation(id);
    res.json(await historyOf('organisations', id));
  });
  router.post('/', allow(WRITE), async (req, res) => res.status(201).json(await createOrganisation(parseBody(organisationCreateBody, req.body), actorOf(res))));
  router.put('/:id', allow(WRITE), async (req, res) => {
    const input = parseBody(organisationUpdateBody, req.body);
    const organisation = await updateOrganisation(idParam(req), input, actorOf(res));
    if (FIELDS_COPIED_TO_CONTACTS.some((field) => input[field] !== undefined)) await refreshContactsOfOrganisation(organisation._id);
    res.json(organisation);
  });
  router.delete('/:id', allow(WRITE), async (req, res) => {
    const organisation = await deleteOrganisation(idParam(req), actorOf(res));
    await refreshContactsOfOrganisation(organisation._id);
    res.json(organisation);
  });
  return router;
}
