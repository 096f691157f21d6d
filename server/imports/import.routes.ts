import { Router } from 'express';
import { rm } from 'node:fs/promises';
import type { AppContext } from '../context.js';
import { idParam, parseBody, parseListQuery, sendList } from '../lib/rest.js';
import { actorOf, allow, READ, WRITE } from '../users/auth.middleware.js';
import { commitBody, importFilter, presetBody, previewBody, uploadFields } from './import.schemas.js';
import {
  IMPORT_COMMIT_JOB,
  IMPORT_UNDO_JOB,
  createImport,
  deletePreset,
  errorsFileName,
  getImport,
  importDetails,
  listImports,
  listPresets,
  previewImport,
  requestCommit,
  requestUndo,
  savePreset,
  writeErrorsCsv,
} from './import.service.js';
import { receiveUpload } from './import.upload.js';

/** `/api/imports`: upload + dry run, commit (a job), progress, error lines as CSV, undo (a job); mapping presets. */
export function importRoutes(ctx: AppContext): Router {
  const router = Router();
  const { agenda } = ctx.scheduler;
  router.get('/', allow(READ), async (req, res) => {
    const query = parseListQuery(req, importFilter, { sort: ['createdAt', 'DESC'], sortable: ['createdAt', 'fileName', 'status', 'id'] });
    const { items, total } = await listImports(query);
    sendList(res, 'imports', items, total, query.skip);
  });
  router.post('/', allow(WRITE), async (req, res) => {
    const { file, fields } = await receiveUpload(req, ctx.config.dataDir, ctx.config.importMaxBytes);
    try {
      const created = await createImport(file, parseBody(uploadFields, fields), actorOf(res));
      res.status(201).json(await importDetails(String(created._id)));
    } catch (error) {
      await rm(file.filePath, { force: true });
      throw error;
    }
  });
  router.get('/presets', allow(READ), async (_req, res) => res.json(await listPresets()));
  router.post('/presets', allow(WRITE), async (req, res) => res.status(201).json(await savePreset(parseBody(presetBody, req.body), actorOf(res))));
  router.delete('/presets/:id', allow(WRITE), async (req, res) => {
    await deletePreset(idParam(req));
    res.status(204).end();
  });
  router.get('/:id', allow(READ), async (req, res) => res.json(await importDetails(idParam(req))));
  router.post('/:id/preview', allow(WRITE), async (req, res) => {
    const doc = await previewImport(idParam(req), parseBody(previewBody, req.body));
    res.json(await importDetails(String(doc._id)));
  });
  router.post('/:id/commit', allow(WRITE), async (req, res) => {
    parseBody(commitBody, req.body);
    const doc = await requestCommit(idParam(req), actorOf(res));
    await agenda.now(IMPORT_COMMIT_JOB, { importId: String(doc._id) });
    res.status(202).json(await importDetails(String(doc._id)));
  });
  router.post('/:id/undo', allow(WRITE), async (req, res) => {
    parseBody(commitBody, req.body);
    const doc = await requestUndo(idParam(req));
    await agenda.now(IMPORT_UNDO_JOB, { importId: String(doc._id) });
    res.status(202).json(await importDetails(String(doc._id)));
  });
  router.get('/:id/errors.csv', allow(READ), async (req, res) => {
    const doc = await getImport(idParam(req));
    res.set('Content-Type', 'text/csv; charset=utf-8');
    res.set('Content-Disposition', `attachment; filename="${errorsFileName(doc)}"`);
    await writeErrorsCsv(String(doc._id), res);
  });
  return router;
}
