import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../lib/errors.js';
import { EncodingSniffer } from './csv.js';

export const MAX_IMPORT_BYTES = 500 * 1024 * 1024;

export type StoredFile = { filePath: string; fileName: string; size: number; sniffer: EncodingSniffer };

/** Where uploaded files wait for their commit (and their undo's error report). */
export function importsDir(dataDir: string): string {
  return path.join(dataDir, 'imports');
}

/**
 * Writes an incoming file to disk chunk by chunk, sniffing its encoding on the way: the file
 * is never held in memory, whatever its size.
 */
export async function storeFile(source: Readable, fileName: string, dataDir: string, maxBytes = MAX_IMPORT_BYTES): Promise<StoredFile> {
  const dir = importsDir(dataDir);
  await mkdir(dir, { recursive: true, mode: 0o700 }); // uploaded address books: for the app's user only
  const filePath = path.join(dir, `${randomUUID()}.csv`);
  const sniffer = new EncodingSniffer();
  let size = 0;
  const sniff = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      if (size > maxBytes) return done(new AppError(413, 'too_large', `Le fichier dépasse ${Math.round(maxBytes / 1024 / 1024)} Mo.`, 'file'));
      sniffer.push(chunk);
      done(null, chunk);
    },
  });
  try {
    await pipeline(source, sniff, createWriteStream(filePath));
  } catch (error) {
    await rm(filePath, { force: true });
    throw error;
  }
  return { filePath, fileName: path.basename(fileName || 'import.csv'), size, sniffer };
}
