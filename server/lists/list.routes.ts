import { Router } from 'express';
import { idParam, parseBody, parseListQuery, sendList } from '../lib/rest.js';
import { allow, READ, WRITE } from '../users/auth.middleware.js';
import { listCreateBody, listFilter, listUpdateBody } from './list.schemas.js';
import { createList, deactivateList, getList, listLists, updateList } from './list.service.js';

export function listRoutes(): Router {
  const router = Router();
  router.get('/', allow(READ), async (req, res) => {
    const query = parseListQuery(req, listFilter, { sort: ['order', 'ASC'], sortable: ['order', 'name', 'code', 'createdAt', 'id'] });
    const { items, total } = await listLists(query);
    sendList(res, 'lists', items, total, query.skip);
  });
  router.get('/:id', allow(READ), async (req, res) => res.json(await getList(idParam(req))));
  router.post('/', allow(WRITE), async (req, res) => res.status(201).json(await createList(parseBody(listCreateBody, req.body))));
  router.put('/:id', allow(WRITE), async (req, res) => res.json(await updateList(idParam(req), parseBody(listUpdateBody, req.body))));
  router.delete('/:id', allow(WRITE), async (req, res) => res.json(await deactivateList(idParam(req))));
  return router;
}
