import { Router } from 'express';
import { z } from 'zod';
import { badRequest } from '../lib/errors.js';
import { parseListQuery, sendList } from '../lib/rest.js';
import { allow, READ } from '../users/auth.middleware.js';
import { TERRITORY_KINDS } from './territory.data.js';
import { listTerritories, requireTerritory } from './territory.service.js';

const territoryId = z.string().regex(/^(region|departement|epci|commune|qualite)-[0-9A-Za-z-]{1,20}$/, 'identifiant de territoire invalide');
const kind = z.enum(TERRITORY_KINDS, 'type de territoire inconnu');
const filter = z.strictObject({
  q: z.string().max(200).optional(),
  kind: z.union([kind, z.array(kind)]).optional(),
  id: z.array(territoryId).max(1000).optional(),
});

/** `/api/territories`: the official geography and the qualities, read-only, most relevant first. */
export function territoryRoutes(): Router {
  const router = Router();
  router.get('/', allow(READ), (req, res) => {
    // react-admin asks for `id` by default: that order, like `relevance`, is the search's.
    const query = parseListQuery(req, filter, { sort: ['relevance', 'ASC'], sortable: ['relevance', 'id', 'name', 'label'] });
    const byName = ['name', 'label'].includes(query.sort.field) ? query.sort.order : undefined;
    const { items, total } = listTerritories(query.filter, query.skip, query.limit, byName);
    sendList(res, 'territories', items, total, query.skip);
  });
  router.get('/:id', allow(READ), (req, res) => {
    const id = territoryId.safeParse(req.params.id);
    if (!id.success) throw badRequest('Identifiant de territoire invalide.', 'id');
    res.json(requireTerritory(id.data));
  });
  return router;
}
