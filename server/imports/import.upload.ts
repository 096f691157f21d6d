import busboy from 'busboy';
import type { Request } from 'express';
import { rm } from 'node:fs/promises';
import { AppError, badRequest } from '../lib/errors.js';
import { storeFile, type StoredFile } from './import.storage.js';

/** Room for the multipart framing and the text fields around the file. */
const FORM_OVERHEAD_BYTES = 1024 * 1024;

export const tooLarge = (maxBytes: number) => new AppError(413, 'too_large', `Le fichier dépasse ${Math.round(maxBytes / 1024 / 1024)} Mo.`, 'file');

/**
 * Reads a multipart upload: the `file` part streams to disk under DATA_DIR (never whole in
 * memory), the other parts are returned as text fields. A file over `maxBytes` is refused as
 * soon as the limit is passed (or at once when the announced length says so), not once the
 * client has sent it all.
 */
export function receiveUpload(req: Request, dataDir: string, maxBytes: number): Promise<{ file: StoredFile; fields: Record<string, string> }> {
  if (!req.is('multipart/form-data')) return Promise.reject(badRequest('Envoyez le fichier en multipart/form-data (champ « file »).', 'file'));
  if (Number(req.headers['content-length']) > maxBytes + FORM_OVERHEAD_BYTES) return Promise.reject(tooLarge(maxBytes));
  return new Promise((resolve, reject) => {
    const fields: Record<string, string> = {};
    let stored: Promise<StoredFile> | undefined;
    let settled = false;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      req.unpipe(parser);
      reject(error);
    };
    const parser = busboy({ headers: req.headers, limits: { files: 1, fields: 20, fieldSize: 200_000, fileSize: maxBytes + 1 } });
    parser.on('file', (name, stream, info) => {
      if (name !== 'file' || stored) {
        stream.resume();
        return;
      }
      stream.on('limit', () => stream.destroy(tooLarge(maxBytes)));
      stored = storeFile(stream, info.filename ?? 'import.csv', dataDir, maxBytes);
      stored.catch(fail); // the partial file is already removed
    });
    parser.on('field', (name, value) => {
      fields[name] = value;
    });
    parser.on('fieldsLimit', () => fail(new AppError(413, 'too_large', 'Le formulaire envoyé a trop de champs.')));
    parser.on('error', (error) => fail(badRequest(`Envoi illisible : ${(error as Error).message}`, 'file')));
    parser.on('close', async () => {
      if (!stored) return fail(badRequest('Aucun fichier reçu (champ « file »).', 'file'));
      try {
        const file = await stored;
        if (settled) return void (await rm(file.filePath, { force: true }));
        if (!file.size) {
          await rm(file.filePath, { force: true });
          return fail(badRequest('Le fichier est vide.', 'file'));
        }
        settled = true;
        resolve({ file, fields });
      } catch (error) {
        fail(error);
      }
    });
    req.pipe(parser);
  });
}
