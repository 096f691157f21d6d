import mongoose, { Schema } from 'mongoose';
import { randomUUID } from 'node:crypto';

/**
 * A version stamp per cached thing (e.g. `archive`), changed by whoever changes that thing. A
 * random value, not a counter: FerretDB's `$inc` is not atomic between processes.
 */
const stampSchema = new Schema({ _id: { type: String, required: true }, version: { type: String, required: true } }, { versionKey: false });
export const Stamp = mongoose.model('Stamp', stampSchema, 'stamps');

/** The public archive (/lettres): bumped when a newsletter or a published campaign enters or leaves it. */
export const ARCHIVE_STAMP = 'archive';

/** Rows as a cache hands them out: shared by every caller, so frozen (a mutation throws instead of spoiling the cache). */
export function frozenRows<T extends object>(rows: T[]): readonly Readonly<T>[] {
  for (const row of rows) Object.freeze(row);
  return Object.freeze(rows);
}

/** Bumps made by this process, seen by its caches at once (other processes read the stamp). */
const localBumps = new Map<string, number>();

export async function bumpStamp(name: string): Promise<void> {
  // Local first: should the stamp's write fail, this process at least sees its own change.
  localBumps.set(name, (localBumps.get(name) ?? 0) + 1);
  await Stamp.updateOne({ _id: name }, { $set: { version: randomUUID() } }, { upsert: true });
}

const DOCUMENT_WRITES = ['save', 'updateOne', 'deleteOne'] as const;
const QUERY_WRITES = ['updateOne', 'updateMany', 'deleteOne', 'deleteMany', 'findOneAndUpdate', 'findOneAndDelete', 'findOneAndReplace', 'replaceOne'] as const;
const MODEL_WRITES = ['insertMany', 'bulkWrite'] as const;

/**
 * Bumps the stamp `name` after every write made through the model of `schema` (documents,
 * queries, insertMany, bulkWrite), and after a failed one too, which may have written part of
 * its documents. The model itself, not each caller, so that no write path can be forgotten.
 */
export function stampOnWrite(schema: Schema, name: string): void {
  const bump = () => bumpStamp(name);
  // An error handler that returns keeps the write's own error.
  const bumpAfterError = () => bumpStamp(name).catch(() => undefined);
  schema.post([...DOCUMENT_WRITES], { document: true, query: false }, bump);
  schema.post([...DOCUMENT_WRITES], { document: true, query: false, errorHandler: true }, bumpAfterError);
  schema.post([...QUERY_WRITES], { document: false, query: true }, bump);
  schema.post([...QUERY_WRITES], { document: false, query: true, errorHandler: true }, bumpAfterError);
  for (const write of MODEL_WRITES) {
    schema.post(write, bump);
    schema.post(write, { errorHandler: true }, bumpAfterError);
  }
}

/**
 * Values computed once and kept in memory until the stamp `name` changes. The stamp is read at
 * most every `checkEveryMs` (one `_id` lookup), so another process's change shows within that
 * time, and this process's own change at once.
 */
export class StampedCache<T> {
  private entries = new Map<string, T>();
  private version: string | undefined;
  private seenBumps = 0;
  private checkedAt = 0;
  private checking: Promise<void> | undefined;
  private generation = 0;

  constructor(
    private readonly name: string,
    private readonly checkEveryMs = 2000,
  ) {}

  /** The cached value of `key`, or `load()`'s when it gives one (undefined is not kept: unknown keys cost no memory). */
  async get(key: string, load: () => Promise<T | undefined>): Promise<T | undefined> {
    await this.refresh();
    if (this.entries.has(key)) return this.entries.get(key);
    const generation = this.generation;
    const value = await load();
    if (value !== undefined && generation === this.generation) this.entries.set(key, value);
    return value;
  }

  private async refresh(): Promise<void> {
    const bumps = localBumps.get(this.name) ?? 0;
    if (bumps === this.seenBumps && Date.now() - this.checkedAt < this.checkEveryMs) return;
    this.checking ??= this.readStamp(bumps).finally(() => (this.checking = undefined));
    await this.checking;
  }

  private async readStamp(bumps: number): Promise<void> {
    const stamp = await Stamp.findById(this.name).lean();
    if (stamp?.version !== this.version || bumps !== this.seenBumps) {
      this.entries.clear();
      this.generation++;
      this.version = stamp?.version;
    }
    this.seenBumps = bumps;
    this.checkedAt = Date.now();
  }
}
