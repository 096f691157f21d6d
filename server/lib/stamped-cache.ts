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

/** Bumps made by this process, seen by its caches at once (other processes read the stamp). */
const localBumps = new Map<string, number>();

export async function bumpStamp(name: string): Promise<void> {
  await Stamp.updateOne({ _id: name }, { $set: { version: randomUUID() } }, { upsert: true });
  localBumps.set(name, (localBumps.get(name) ?? 0) + 1);
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
