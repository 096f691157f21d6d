import { Router } from 'express';
import type { Config } from '../lib/config.js';
import { idParam, parseBody, parseListQuery, sendList } from '../lib/rest.js';
import { allow, READ, WRITE } from '../users/auth.middleware.js';
import { MAX_FEED_BYTES } from './news.feed.js';
import { createMapping, deleteMapping, getMapping, importNewsFeed, listMappings, updateMapping } from './news.import.js';
import { mappingCreateBody, mappingFilter, mappingUpdateBody, newsCreateBody, newsFilter, newsImportBody, newsUpdateBody } from './news.schemas.js';
import { createNews, deleteNews, getNews, listNews, updateNews } from './news.service.js';
import { readUploadedFile } from './news.upload.js';

const sortable = ['publishedAt', 'title', 'category', 'createdAt', 'id'];

/** `/api/news`: news items, and the feed import (`POST /api/news/import`, a URL or a multipart `file`). */
export function newsRoutes(config: Config): Router {
  const fetching = { allowHosts: config.fetchAllowHosts };
  const router = Router();
  router.get('/', allow(READ), async (req, res) => {
    const query = parseListQuery(req, newsFilter, { sort: ['publishedAt', 'DESC'], sortable });
    const { items, total } = await listNews(query);
    sendList(res, 'news', items, total, query.skip);
  });
  router.post('/import', allow(WRITE), async (req, res) => {
    if (req.is('multipart/form-data')) {
      const file = await readUploadedFile(req, 'file', MAX_FEED_BYTES);
      return res.json(await importNewsFeed({ xml: file.data.toString('utf8'), fileName: file.name }, fetching));
    }
    res.json(await importNewsFeed(parseBody(newsImportBody, req.body), fetching));
  });
  router.get('/:id', allow(READ), async (req, res) => res.json(await getNews(idParam(req))));
  router.post('/', allow(WRITE), async (req, res) => res.status(201).json(await createNews(parseBody(newsCreateBody, req.body))));
  router.put('/:id', allow(WRITE), async (req, res) => res.json(await updateNews(idParam(req), parseBody(newsUpdateBody, req.body))));
  router.delete('/:id', allow(WRITE), async (req, res) => res.json(await deleteNews(idParam(req))));
  return router;
}

/** `/api/news-mappings`: how the website's categories become news categories, themes and territories. */
export function newsMappingRoutes(): Router {
  const router = Router();
  router.get('/', allow(READ), async (req, res) => {
    const query = parseListQuery(req, mappingFilter, { sort: ['label', 'ASC'], sortable: ['label', 'key', 'createdAt', 'id'] });
    const { items, total } = await listMappings(query);
    sendList(res, 'news-mappings', items, total, query.skip);
  });
  router.get('/:id', allow(READ), async (req, res) => res.json(await getMapping(idParam(req))));
  router.post('/', allow(WRITE), async (req, res) => res.status(201).json(await createMapping(parseBody(mappingCreateBody, req.body))));
  router.put('/:id', allow(WRITE), async (req, res) => res.json(await updateMapping(idParam(req), parseBody(mappingUpdateBody, req.body))));
  router.delete('/:id', allow(WRITE), async (req, res) => res.json(await deleteMapping(idParam(req))));
  return router;
}
