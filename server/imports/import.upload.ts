import busboy from 'busboy';
import type { Request } from 'express';
import { rm } from 'node:fs/promises';
import { AppError, badRequest } from '../lib/errors.js';
import { MAX_IMPORT_BYTES, storeFile, type StoredFile } from './import.storage.js';

/**
 * Reads a multipart upload: the `file` part streams to disk under DATA_DIR (never whole in
 * memory), the other parts are returned as text fields.
 */
export function receiveUpload(req: Request, dataDir: string): Promise<{ file: StoredFile; fields: Record<string, string> }> {
  if (!req.is('multipart/form-data')) return Promise.reject(badRequest('Envoyez le fichier en multipart/form-data (champ « file »).', 'file'));
  return new Promise((resolve, reject) => {
    const fields: Record<string, string> = {};
    let stored: Promise<StoredFile> | undefined;
    let failed: unknown;
    const parser = busboy({ headers: req.headers, limits: { files: 1, fields: 20, fieldSize: 200_000, fileSize: MAX_IMPORT_BYTES + 1 } });
    parser.on('file', (name, stream, info) => {
      if (name !== 'file' || stored) {
        stream.resume();
        return;
      }
      stream.on('limit', () => stream.destroy(new AppError(413, 'too_large', 'Le fichier dépasse 500 Mo.', 'file')));
      stored = storeFile(stream, info.filename ?? 'import.csv', dataDir);
      stored.catch((error: unknown) => (failed = error));
    });
    parser.on('field', (name, value) => {
      fields[name] = value;
    });
    parser.on('error', (error) => reject(badRequest(`Envoi illisible : ${(error as Error).message}`, 'file')));
    parser.on('close', async () => {
      if (!stored) return reject(badRequest('Aucun fichier reçu (champ « file »).', 'file'));
      try {
        const file = await stored;
        if (failed) throw failed;
        if (!file.size) {
          await rm(file.filePath, { force: true });
          return reject(badRequest('Le fichier est vide.', 'file'));
        }
        resolve({ file, fields });
      } catch (error) {
        reject(error);
      }
    });
    req.pipe(parser);
  });
}
