import { BSON, type Db } from 'mongodb';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { CONTACT_INDEX_SNAPSHOTS } from '../contacts/contact.store.js';
import {
  ARCHIVE_FORMAT,
  ARCHIVE_FORMAT_VERSION,
  appVersion,
  CollectionDigests,
  documentLine,
  type ArchiveHeader,
  type IndexSpec,
  type Manifest,
} from './archive.js';
import { schemaState } from './migration.service.js';

/**
 * Streams every collection of the database into `file` (see archive.ts for the format).
 * Written to `file.partial` then renamed, so an archive bearing the final name is complete.
 * Not a point-in-time snapshot (neither FerretDB nor a standalone MongoDB gives one): writes
 * made during the backup may or may not be in it.
 */
export async function backupDatabase(db: Db, file: string): Promise<Manifest> {
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const header: ArchiveHeader = {
    format: ARCHIVE_FORMAT,
    formatVersion: ARCHIVE_FORMAT_VERSION,
    appVersion: appVersion(),
    schemaVersion: (await schemaState(db)).current,
    createdAt: new Date().toISOString(),
  };
  const digests = new CollectionDigests();
  let manifest: Manifest | undefined;
  async function* lines(): AsyncGenerator<string> {
    yield `${JSON.stringify(header)}\n`;
    for (const name of await collectionNames(db)) {
      const collection = db.collection(name);
      yield `${JSON.stringify({ collection: name, indexes: indexSpecs(await collection.indexes()) })}\n`;
      digests.touch(name);
      // promoteValues: false keeps Int32/Double/Long apart, so numbers come back with their BSON type.
      for await (const doc of collection.find({}, { promoteValues: false, bsonRegExp: true, batchSize: 1000 })) {
        const line = documentLine(name, BSON.EJSON.stringify(doc, { relaxed: false }));
        digests.add(name, line);
        yield line;
      }
    }
    const collections = digests.result();
    const documents = Object.values(collections).reduce((sum, entry) => sum + entry.count, 0);
    manifest = { ...header, collections, documents };
    yield `${JSON.stringify({ manifest })}\n`;
  }
  const partial = `${file}.partial`;
  try {
    await pipeline(Readable.from(lines()), createGzip({ level: 6 }), createWriteStream(partial));
    await rename(partial, file);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
  return manifest!;
}

/** A copy of the contacts' in-memory index: rebuilt from the contacts, not worth backing up. */
const DERIVED_COLLECTIONS = [CONTACT_INDEX_SNAPSHOTS];

/** Derived copies describe the database they were made from: a restore drops them. */
export async function dropDerivedCollections(db: Db): Promise<void> {
  for (const name of DERIVED_COLLECTIONS) await db.collection(name).drop().catch(() => undefined);
}

/** Every collection but the server's own (`system.*`) and derived copies; views are not data. */
export async function collectionNames(db: Db): Promise<string[]> {
  const infos = await db.listCollections({}, { nameOnly: false }).toArray();
  return infos
    .filter((info) => info.type !== 'view' && !info.name.startsWith('system.') && !DERIVED_COLLECTIONS.includes(info.name))
    .map((info) => info.name)
    .sort();
}

function indexSpecs(indexes: Array<Record<string, unknown>>): IndexSpec[] {
  return indexes
    .filter((index) => index.name !== '_id_')
    .map((index) => ({ name: String(index.name), key: index.key as IndexSpec['key'], ...(index.unique ? { unique: true } : {}) }));
}

/** `maillage-2026-11-22.ejson.gz` in `dir`, keeping the `keep` newest such archives. */
export async function rotateBackup(db: Db, dir: string, keep: number, now = new Date()): Promise<{ file: string; manifest: Manifest; removed: string[] }> {
  const file = path.join(dir, `maillage-${now.toISOString().slice(0, 10)}.ejson.gz`);
  const manifest = await backupDatabase(db, file);
  const archives = (await readdir(dir)).filter((name) => /^maillage-\d{4}-\d{2}-\d{2}\.ejson\.gz$/.test(name)).sort();
  const removed = archives.slice(0, Math.max(0, archives.length - keep));
  await Promise.all(removed.map((name) => rm(path.join(dir, name), { force: true })));
  return { file, manifest, removed };
}
