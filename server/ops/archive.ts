import { createHash, type Hash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { createGunzip } from 'node:zlib';

/**
 * The backup archive: gzip of JSON lines.
 *   line 1      {"format":"maillage-backup","formatVersion":1,"appVersion",...}   the header
 *   then, per collection, {"collection":"contacts","indexes":[...]} followed by one line per
 *   document, {"c":"contacts","d":<canonical MongoDB Extended JSON>} (dates, ObjectIds,
 *   int/double/long survive);
 *   last line   {"manifest":{...}}   app version, schema version, and per collection the count
 *   and the SHA-256 of its document lines (each with its "\n"), in archive order.
 * A file without its manifest line is truncated; anything after it is damage.
 */
export const ARCHIVE_FORMAT = 'maillage-backup';
export const ARCHIVE_FORMAT_VERSION = 1;

export type IndexSpec = { name: string; key: Record<string, 1 | -1>; unique?: boolean };

export type ArchiveHeader = {
  format: typeof ARCHIVE_FORMAT;
  formatVersion: number;
  appVersion: string;
  schemaVersion: number;
  createdAt: string;
};

export type Manifest = ArchiveHeader & {
  collections: Record<string, { count: number; sha256: string }>;
  documents: number;
};

export type CollectionLine = { collection: string; indexes: IndexSpec[] };

export const appVersion = (): string =>
  (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export const documentLine = (collection: string, ejson: string) => `{"c":${JSON.stringify(collection)},"d":${ejson}}\n`;

/** Counts and hashes the document lines of each collection, in the order they come. */
export class CollectionDigests {
  private readonly hashes = new Map<string, { count: number; hash: Hash }>();

  add(collection: string, line: string): void {
    let entry = this.hashes.get(collection);
    if (!entry) this.hashes.set(collection, (entry = { count: 0, hash: createHash('sha256') }));
    entry.count++;
    entry.hash.update(line);
  }

  /** Declares a collection even when it has no document. */
  touch(collection: string): void {
    if (!this.hashes.has(collection)) this.hashes.set(collection, { count: 0, hash: createHash('sha256') });
  }

  result(): Manifest['collections'] {
    return Object.fromEntries([...this.hashes].map(([name, { count, hash }]) => [name, { count, sha256: hash.digest('hex') }]));
  }
}

/** The archive's lines (each without its "\n"); rejects on a damaged or truncated gzip stream. */
export async function* readArchiveLines(file: string): AsyncGenerator<string> {
  let rest = '';
  const stream = createReadStream(file).pipe(createGunzip());
  stream.setEncoding('utf8');
  for await (const chunk of stream as AsyncIterable<string>) {
    const parts = (rest + chunk).split('\n');
    rest = parts.pop()!;
    yield* parts;
  }
  if (rest) yield rest;
}
