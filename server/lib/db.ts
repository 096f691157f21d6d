import type { Db, Document } from 'mongodb';
import mongoose from 'mongoose';
import { OWNER, ownerIsDead } from './process-owner.js';

// Every API document carries `id` and neither `_id` nor `__v` (ra-data-simple-rest convention).
mongoose.set('strictQuery', true);
mongoose.set('toJSON', {
  virtuals: true,
  versionKey: false,
  transform: (_doc: unknown, ret: Record<string, unknown>) => {
    delete ret._id;
    return ret;
  },
});

/**
 * `prepare: false` leaves the collections and indexes as they are: for a child process (the
 * sender) whose parent prepared them, which would otherwise send ~40 commands for nothing.
 */
/** A collection of the connected database through the driver, without a Mongoose model (a raw read or write). */
export const rawCollection = <T extends Document = Document>(name: string) => mongoose.connection.db!.collection<T>(name);

export async function connectDatabase(uri: string, options: { heartbeatFrequencyMS?: number; prepare?: boolean } = {}): Promise<typeof mongoose> {
  const { prepare = true, ...connection } = options;
  await mongoose.connect(uri, { serverSelectionTimeoutMS: 10_000, autoIndex: false, ...(prepare ? {} : { autoCreate: false }), ...connection });
  if (prepare) await prepareModels(Object.values(mongoose.models));
  return mongoose;
}

/** Creates the collections and indexes of these models (a model loaded after connecting too). */
export async function prepareModels(models: ReadonlyArray<mongoose.Model<any>>): Promise<void> {
  await Promise.all(models.map((model) => model.init())); // creates the collections
  const uniqueOnly = await isFerretdbOverSqlite(mongoose.connection.db!);
  await Promise.all(models.map((model) => (uniqueOnly ? keepUniqueIndexesOnly(model) : model.createIndexes())));
}

/**
 * FerretDB 1.24 over SQLite (the embedded database) answers no filter from an index but
 * `_id` lookups, yet every index costs each write: SQLite parses the document again per
 * indexed field (a third of an import's insert time). There, only unique indexes are kept.
 */
async function keepUniqueIndexesOnly(model: mongoose.Model<any>): Promise<void> {
  for (const [fields, options] of model.schema.indexes()) {
    if (options.unique) await model.collection.createIndex(fields as Record<string, 1 | -1>, options as object);
  }
  for (const index of await model.collection.indexes()) {
    if (index.name && index.name !== '_id_' && !index.unique) await model.collection.dropIndex(index.name);
  }
}

/** SQLite's query plans, as FerretDB's explain returns them, are lines of "id=… detail=…". */
export async function isFerretdbOverSqlite(db: Db): Promise<boolean> {
  const collection = (await db.listCollections({}, { nameOnly: true }).toArray())[0]?.name;
  if (!collection) return false;
  const explained = await db.command({ explain: { find: collection, filter: { _id: 'probe' } } }).catch(() => undefined);
  const plan = (explained?.queryPlanner as { Plan?: unknown } | undefined)?.Plan;
  return Array.isArray(plan) && plan.length > 0 && plan.every((line) => typeof line === 'string' && line.startsWith('id='));
}

export async function disconnectDatabase(): Promise<void> {
  await mongoose.disconnect();
}

/** True when the database answers within `timeoutMs` (a probe must not wait for the driver's 10 s). */
export async function pingDatabase(timeoutMs = 2000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
  const ping = (async () => {
    await mongoose.connection.db?.admin().ping();
    return mongoose.connection.readyState === 1;
  })().catch(() => false);
  try {
    return await Promise.race([ping, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A unique-key violation: E11000 from MongoDB, what FerretDB/SQLite sometimes answers instead
 * (an internal error naming the constraint), or a bulk write whose every failure is one.
 */
export function isDuplicateKey(error: unknown): boolean {
  const e = error as { code?: number; message?: unknown; writeErrors?: unknown[]; err?: unknown } | undefined;
  if (!e) return false;
  if (e.code === 11000 || /E11000|UNIQUE constraint failed/.test(String(e.message ?? ''))) return true;
  if (e.err) return isDuplicateKey(e.err);
  return Array.isArray(e.writeErrors) && e.writeErrors.length > 0 && e.writeErrors.every(isDuplicateKey);
}

type ClaimDoc = { _id: string; at: Date; owner?: string };
export const CLAIMS = 'claims';
const claims = () => mongoose.connection.db!.collection<ClaimDoc>(CLAIMS);

/**
 * Claims `key` for one caller across every process: true for the caller that took it. The
 * guarantee is an insert with a unique `_id` (on FerretDB 1.24 a conditional
 * findOneAndUpdate lets two callers win). A claim older than `staleAfterMs` is taken as
 * abandoned by a crashed holder and can be claimed again; `Infinity` keeps it forever.
 * `heldByProcess`: the work the claim guards lives and dies with this process (it is released
 * at the end), so a holder of this host that no longer exists has abandoned it at once.
 */
export async function claimOnce(key: string, staleAfterMs: number, options: { heldByProcess?: boolean } = {}): Promise<boolean> {
  const owner = options.heldByProcess ? OWNER : undefined;
  if (await insertClaim(key, owner)) return true;
  const held = await claims().findOne({ _id: key });
  if (!held) return insertClaim(key, owner); // released meanwhile
  const abandoned = Date.now() - held.at.getTime() >= staleAfterMs || (options.heldByProcess && held.owner !== undefined && ownerIsDead(held.owner));
  if (!abandoned) return false;
  // Stale: one caller takes this generation over, again through a unique insert (FerretDB's
  // conditional delete reads then deletes, so it could remove a claim just taken).
  if (!(await insertClaim(`${key}~takeover:${held.at.getTime()}`))) return false;
  await claims().replaceOne({ _id: key }, { at: new Date(), ...(owner ? { owner } : {}) }, { upsert: true });
  return true;
}

async function insertClaim(key: string, owner?: string): Promise<boolean> {
  try {
    await claims().insertOne({ _id: key, at: new Date(), ...(owner ? { owner } : {}) });
    return true;
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    return false;
  }
}

/** Gives a claim back (the work it guarded failed and may be tried again at once). */
export async function releaseClaim(key: string): Promise<void> {
  await claims().deleteOne({ _id: key });
}

/**
 * Inserts documents through one `insert` command per 1,000 (the driver's insertMany goes
 * through its bulk-write machinery, which serialises every document once more to size the
 * batch: for an import, a second of CPU per 20,000 contacts). Unordered: every document that
 * can be written is. Returns the positions of those whose `_id` was already taken; any other
 * write error throws.
 */
export async function insertDocuments(collection: string, docs: readonly object[]): Promise<number[]> {
  const duplicates: number[] = [];
  for (let start = 0; start < docs.length; start += 1000) {
    const chunk = docs.slice(start, start + 1000); // far below a command's 16 MB for our documents
    const reply = await mongoose.connection.db!.command({ insert: collection, documents: chunk, ordered: false });
    for (const e of (reply.writeErrors ?? []) as Array<{ code?: number; index: number; errmsg?: string }>) {
      if (e.code !== 11000) throw Object.assign(new Error(e.errmsg ?? 'insert failed'), { code: e.code });
      duplicates.push(start + e.index);
    }
  }
  return duplicates;
}

/** The lean-document counterpart of the toJSON transform. */
export function withId<T extends { _id: unknown }>(doc: T): Omit<T, '_id' | '__v'> & { id: string } {
  const { _id, __v, ...rest } = doc as T & { __v?: unknown };
  return { ...rest, id: String(_id) } as Omit<T, '_id' | '__v'> & { id: string };
}
