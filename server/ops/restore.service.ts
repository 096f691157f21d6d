import { BSON, type Db, type Document } from 'mongodb';
import {
  ARCHIVE_FORMAT,
  ARCHIVE_FORMAT_VERSION,
  CollectionDigests,
  readArchiveLines,
  type ArchiveHeader,
  type CollectionLine,
  type Manifest,
} from './archive.js';
import { collectionNames, dropDerivedCollections } from './backup.service.js';
import { SCHEMA_VERSION } from './migrations/index.js';

/** The archive is refused; nothing was written. Messages are French: the CLI prints them as they are. */
export class ArchiveError extends Error {}
export class DatabaseNotEmptyError extends Error {}

export type RestoreReport = { manifest: Manifest; collections: Array<{ name: string; count: number }>; documents: number };

const BATCH_DOCUMENTS = 1000;
const BATCH_BYTES = 4 * 1024 * 1024;

/**
 * Reads the whole archive once without writing anything: a damaged or truncated gzip stream,
 * an unreadable line, a missing manifest, or a count or checksum that differs from the
 * manifest is an ArchiveError.
 */
export async function verifyArchive(file: string): Promise<Manifest> {
  const digests = new CollectionDigests();
  let header: ArchiveHeader | undefined;
  let manifest: Manifest | undefined;
  let current: string | undefined;
  let lineNumber = 0;
  try {
    for await (const line of readArchiveLines(file)) {
      lineNumber++;
      if (manifest) throw new ArchiveError(`Archive endommagée : données après le manifeste (ligne ${lineNumber}).`);
      if (header && current && line.startsWith(`{"c":${JSON.stringify(current)},"d":`)) {
        digests.add(current, `${line}\n`); // its content is checked by the collection's checksum, no need to parse it here
        continue;
      }
      const record = parseLine(line, lineNumber);
      if (!header) {
        header = checkHeader(record);
      } else if (typeof record.c === 'string') {
        throw new ArchiveError(`Archive endommagée : document hors de sa collection (ligne ${lineNumber}).`);
      } else if (typeof record.collection === 'string') {
        current = record.collection;
        digests.touch(current);
      } else if (record.manifest) {
        manifest = record.manifest as Manifest;
      } else {
        throw new ArchiveError(`Archive endommagée : ligne ${lineNumber} inattendue.`);
      }
    }
  } catch (error) {
    if (error instanceof ArchiveError) throw error;
    const code = (error as { code?: string }).code;
    if (code === 'ENOENT') throw new ArchiveError(`Archive introuvable : ${file}.`);
    throw new ArchiveError(`Archive endommagée ou tronquée (décompression impossible après la ligne ${lineNumber} : ${(error as Error).message}).`);
  }
  if (!header) throw new ArchiveError("Archive vide : ce n'est pas une sauvegarde Maillage.");
  if (!manifest) throw new ArchiveError(`Archive tronquée : le manifeste final manque (${lineNumber} lignes lues).`);
  compareWithManifest(digests.result(), manifest);
  if (manifest.schemaVersion > SCHEMA_VERSION) {
    throw new ArchiveError(
      `Cette sauvegarde vient d'une version plus récente de Maillage (${manifest.appVersion}, schéma ${manifest.schemaVersion}) ; ` +
        `cette version ne connaît que le schéma ${SCHEMA_VERSION}.`,
    );
  }
  return manifest;
}

function parseLine(line: string, lineNumber: number): Record<string, unknown> {
  try {
    const record = JSON.parse(line) as unknown;
    if (record && typeof record === 'object' && !Array.isArray(record)) return record as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new ArchiveError(`Archive endommagée : ligne ${lineNumber} illisible.`);
}

function checkHeader(record: Record<string, unknown>): ArchiveHeader {
  if (record.format !== ARCHIVE_FORMAT) throw new ArchiveError("Ce fichier n'est pas une sauvegarde Maillage.");
  if (record.formatVersion !== ARCHIVE_FORMAT_VERSION) {
    throw new ArchiveError(`Format de sauvegarde ${String(record.formatVersion)} inconnu de cette version de Maillage.`);
  }
  return record as unknown as ArchiveHeader;
}

function compareWithManifest(found: Manifest['collections'], manifest: Manifest): void {
  const names = new Set([...Object.keys(found), ...Object.keys(manifest.collections ?? {})]);
  for (const name of names) {
    const expected = manifest.collections?.[name];
    const actual = found[name];
    if (!expected || !actual) throw new ArchiveError(`Archive endommagée : la collection « ${name} » ne correspond pas au manifeste.`);
    if (expected.count !== actual.count) {
      throw new ArchiveError(`Archive endommagée : « ${name} » contient ${actual.count} documents, le manifeste en annonce ${expected.count}.`);
    }
    if (expected.sha256 !== actual.sha256) throw new ArchiveError(`Archive endommagée : la somme de contrôle de « ${name} » ne correspond pas au manifeste.`);
  }
}

/** Collections holding at least one document. */
export async function nonEmptyCollections(db: Db): Promise<string[]> {
  const names = await collectionNames(db);
  const counts = await Promise.all(names.map(async (name) => ((await db.collection(name).findOne({}, { projection: { _id: 1 } })) ? name : undefined)));
  return counts.filter((name): name is string => Boolean(name));
}

/**
 * Verifies the whole archive, then writes it into `db`, which must hold no document unless
 * `force` (then every collection is dropped first). Counts are checked again after writing.
 */
export async function restoreDatabase(db: Db, file: string, options: { force?: boolean } = {}): Promise<RestoreReport> {
  const manifest = await verifyArchive(file);
  const occupied = await nonEmptyCollections(db);
  if (occupied.length > 0 && !options.force) {
    throw new DatabaseNotEmptyError(
      `La base « ${db.databaseName} » n'est pas vide (${occupied.join(', ')}) : rien n'a été restauré. ` +
        'Restaurez dans une base vide, ou ajoutez --force pour la remplacer entièrement.',
    );
  }
  if (options.force) for (const name of await collectionNames(db)) await db.collection(name).drop();
  await dropDerivedCollections(db);
  // Counted from the server's acknowledgements: a countDocuments is a full scan on FerretDB.
  const written = await writeArchive(db, file);
  const collections = Object.keys(manifest.collections).map((name) => ({ name, count: written.get(name) ?? 0 }));
  for (const { name, count } of collections) {
    if (count !== manifest.collections[name].count) {
      throw new Error(`Restauration incomplète : « ${name} » contient ${count} documents au lieu de ${manifest.collections[name].count}.`);
    }
  }
  return { manifest, collections, documents: collections.reduce((sum, entry) => sum + entry.count, 0) };
}

async function writeArchive(db: Db, file: string): Promise<Map<string, number>> {
  const written = new Map<string, number>();
  let current: CollectionLine | undefined;
  let batch: Document[] = [];
  let batchBytes = 0;
  const flush = async () => {
    if (current && batch.length > 0) {
      const { insertedCount } = await db.collection(current.collection).insertMany(batch, { ordered: false });
      written.set(current.collection, (written.get(current.collection) ?? 0) + insertedCount);
    }
    batch = [];
    batchBytes = 0;
  };
  const finishCollection = async () => {
    await flush();
    if (current) await createIndexes(db, current);
  };
  let first = true;
  for await (const line of readArchiveLines(file)) {
    if (first) {
      first = false; // the header
      continue;
    }
    if (line.startsWith('{"c":')) {
      batch.push((BSON.EJSON.parse(line, { relaxed: false }) as { d: Document }).d);
      batchBytes += line.length;
      if (batch.length >= BATCH_DOCUMENTS || batchBytes >= BATCH_BYTES) await flush();
      continue;
    }
    const record = JSON.parse(line) as Partial<CollectionLine> & { manifest?: unknown };
    await finishCollection();
    if (record.manifest) break;
    current = record as CollectionLine;
    written.set(current.collection, 0);
    await db.createCollection(current.collection).catch((error: { code?: number }) => {
      if (error.code !== 48) throw error; // 48: already exists (an empty collection)
    });
  }
  return written;
}

async function createIndexes(db: Db, line: CollectionLine): Promise<void> {
  for (const index of line.indexes) {
    await db
      .collection(line.collection)
      .createIndex(index.key, { name: index.name, ...(index.unique ? { unique: true } : {}) })
      .catch((error: { code?: number }) => {
        if (error.code !== 85 && error.code !== 86) throw error; // the same index under another name already exists
      });
  }
}

/** What the CLI prints after a restore, in French. */
export function describeRestore(file: string, report: RestoreReport): string {
  const { manifest } = report;
  const lines = [
    `Restauration terminée depuis ${file}`,
    `  sauvegarde du ${manifest.createdAt}, Maillage ${manifest.appVersion}, schéma ${manifest.schemaVersion}`,
    `  ${report.collections.length} collections, ${report.documents} documents (nombres et sommes de contrôle vérifiés) :`,
    ...report.collections.map(({ name, count }) => `    ${name.padEnd(28)} ${String(count).padStart(9)}`),
  ];
  if (manifest.schemaVersion < SCHEMA_VERSION) {
    lines.push(`  Le schéma ${manifest.schemaVersion} sera migré au schéma ${SCHEMA_VERSION} au prochain démarrage (ou par npm run migrate).`);
  }
  return lines.join('\n');
}
