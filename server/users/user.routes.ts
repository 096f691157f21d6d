import { Router } from 'express';
import { idParam, parseBody, parseListQuery, sendList } from '../lib/rest.js';
import { sha256 } from '../lib/tokens.js';
import { actorOf, ADMIN, allow, READ } from './auth.middleware.js';
import { SESSION_COOKIE } from './auth.service.js';
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
  router.put('/:id', allow(ADMIN), async (req, res) => {
    const id = idParam(req);
    // Changing one's own password keeps this session; every other session of the account ends.
    const keepSessionHash = id === actorOf(res).id ? sha256(req.cookies[SESSION_COOKIE]) : undefined;
    res.json(await updateUser(id, parseBody(userUpdateBody, req.body), { keepSessionHash }));
  });
  router.delete('/:id', allow(ADMIN), async (req, res) => res.json(await deleteUser(idParam(req))));
  return router;
}
