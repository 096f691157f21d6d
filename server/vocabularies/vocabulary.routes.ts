import { Router } from 'express';
import { z } from 'zod';
import { allow, READ, WRITE } from '../users/auth.middleware.js';
import { idParam, objectId, parseBody, parseListQuery, sendList } from '../lib/rest.js';
import { VOCABULARY_KINDS, type VocabularyKind } from './vocabulary.model.js';
import {
  createVocabularyEntry,
  deactivateVocabularyEntry,
  getVocabularyEntry,
  listVocabulary,
  updateVocabularyEntry,
} from './vocabulary.service.js';

const filter = z.strictObject({
  kind: z.enum(VOCABULARY_KINDS).optional(),
  active: z.boolean().optional(),
  id: z.array(objectId).optional(),
});
const createBody = z.strictObject({
  kind: z.enum(VOCABULARY_KINDS, 'liste inconnue'),
  code: z.string().regex(/^[a-z0-9-]+$/, 'minuscules, chiffres et tirets uniquement').max(60),
  label: z.string().trim().min(1, 'obligatoire').max(200),
  order: z.number().int().optional(),
  active: z.boolean().optional(),
});
const updateBody = createBody.pick({ label: true, order: true, active: true }).partial().strip();
const sortable = ['kind', 'code', 'label', 'order', 'id'];

/** `/api/vocabularies`, plus one read-only alias per kind (`/api/news-categories`, ...). */
export const VOCABULARY_ALIASES: Record<string, VocabularyKind> = {
  'organisation-types': 'organisationTypes',
  functions: 'functions',
  dispositifs: 'dispositifs',
  'news-categories': 'newsCategories',
  'solicitation-types': 'solicitationTypes',
  'requester-types': 'requesterTypes',
  'solicitation-channels': 'solicitationChannels',
  'membership-categories': 'membershipCategories',
  'board-roles': 'boardRoles',
};

export function vocabularyRoutes(): Router {
  const router = Router();
  router.get('/', allow(READ), async (req, res) => {
    const query = parseListQuery(req, filter, { sort: ['order', 'ASC'], sortable });
    const { items, total } = await listVocabulary(query);
    sendList(res, 'vocabularies', items, total, query.skip);
  });
  router.get('/:id', allow(READ), async (req, res) => res.json(await getVocabularyEntry(idParam(req))));
  router.post('/', allow(WRITE), async (req, res) => res.status(201).json(await createVocabularyEntry(parseBody(createBody, req.body))));
  router.put('/:id', allow(WRITE), async (req, res) => res.json(await updateVocabularyEntry(idParam(req), parseBody(updateBody, req.body))));
  router.delete('/:id', allow(WRITE), async (req, res) => res.json(await deactivateVocabularyEntry(idParam(req))));
  return router;
}

export function vocabularyAliasRoutes(kind: VocabularyKind, resource: string): Router {
  const router = Router();
  router.get('/', allow(READ), async (req, res) => {
    const query = parseListQuery(req, filter.omit({ kind: true }), { sort: ['order', 'ASC'], sortable });
    const { items, total } = await listVocabulary({ ...query, filter: { ...query.filter, kind } });
    sendList(res, resource, items, total, query.skip);
  });
  return router;
}
