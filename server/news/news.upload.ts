import busboy from 'busboy';
import type { Request } from 'express';
import { AppError, badRequest } from '../lib/errors.js';

/** Reads one uploaded file of a multipart request into memory (feeds are small). */
export function readUploadedFile(req: Request, field: string, maxBytes: number): Promise<{ name: string; data: Buffer }> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { files: 1, fileSize: maxBytes, fields: 20 } });
    } catch {
      return reject(badRequest('Envoyez un fichier (multipart/form-data).', field));
    }
    let file: { name: string; data: Buffer } | undefined;
    let tooLarge = false;
    parser.on('file', (name, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => name === field && chunks.push(chunk));
      stream.on('limit', () => {
        // answered at once, not once the client has sent the rest
        tooLarge = true;
        req.unpipe(parser);
        reject(new AppError(413, 'too_large', `Le fichier dépasse ${Math.round(maxBytes / 1024 / 1024)} Mo.`, field));
      });
      stream.on('end', () => {
        if (name === field) file = { name: info.filename ?? 'flux.xml', data: Buffer.concat(chunks) };
      });
    });
    parser.on('error', () => reject(badRequest('Le fichier envoyé est illisible.', field)));
    parser.on('close', () => {
      if (tooLarge) return reject(new AppError(413, 'too_large', `Le fichier dépasse ${Math.round(maxBytes / 1024 / 1024)} Mo.`, field));
      if (!file || !file.data.length) return reject(badRequest(`Aucun fichier dans le champ « ${field} ».`, field));
      resolve(file);
    });
    req.pipe(parser);
  });
}
