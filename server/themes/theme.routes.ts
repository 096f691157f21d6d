import { Router } from 'express';
import { removeThemeFromContacts } from '../contacts/contact.service.js';
import { idParam, parseBody, parseListQuery, sendList } from '../lib/rest.js';
import { actorOf, allow, READ, WRITE } from '../users/auth.middleware.js';
import { themeCreateBody, themeFilter, themeUpdateBody } from './theme.schemas.js';
import { createTheme, deleteTheme, getTheme, listThemes, updateTheme } from './theme.service.js';

const sortable = ['order', 'name', 'code', 'id', 'createdAt'];

export function themeRoutes(): Router {
  const router = Router();
  router.get('/', allow(READ), async (req, res) => {
    const query = parseListQuery(req, themeFilter, { sort: ['order', 'ASC'], sortable });
    const { items, total } = await listThemes(query);
    sendList(res, 'themes', items, total, query.skip);
  });
  router.get('/:id', allow(READ), async (req, res) => res.json(await getTheme(idParam(req))));
  router.post('/', allow(WRITE), async (req, res) => res.status(201).json(await createTheme(parseBody(themeCreateBody, req.body))));
  router.put('/:id', allow(WRITE), async (req, res) => res.json(await updateTheme(idParam(req), parseBody(themeUpdateBody, req.body))));
  router.delete('/:id', allow(WRITE), async (req, res) => res.json(await deleteTheme(idParam(req), (theme) => removeThemeFromContacts(theme, actorOf(res)))));
  return router;
}
