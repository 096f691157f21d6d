import { Router } from 'express';
import { idParam, parseBody, parseListQuery, sendList } from '../lib/rest.js';
import { ADMIN, allow, READ } from './auth.middleware.js';
import { userCreateBody, userFilter, userUpdateBody } from './user.schemas.js';
import { assignableUsers, createUser, deleteUser, getUser, listUsers, updateUser } from './user.service.js';

export function userRoutes(): Router {
  const router = Router();
  router.get('/', allow(ADMIN), async (req, res) => {
    const query = parseListQuery(req, userFilter, { sort: ['email', 'ASC'], sortable: ['email', 'name', 'role', 'createdAt', 'lastLoginAt', 'id'] });
    const { items, total } = await listUsers(query);
    sendList(res, 'users', items, total, query.skip);
  });
  router.get('/assignable', allow(READ), async (_req, res) => res.json(await assignableUsers()));
  router.get('/:id', allow(ADMIN), async (req, res) => res.json(await getUser(idParam(req))));
  router.post('/', allow(ADMIN), async (req, res) => res.status(201).json(await createUser(parseBody(userCreateBody, req.body))));
  router.put('/:id', allow(ADMIN), async (req, res) => res.json(await updateUser(idParam(req), parseBody(userUpdateBody, req.body))));
  router.delete('/:id', allow(ADMIN), async (req, res) => res.json(await deleteUser(idParam(req))));
  return router;
}
