import mongoose from 'mongoose';
import { DeliveryEvent, type DeliveryEventRecord } from './delivery.model.js';

type Doc = { _id: string };

/**
 * Group commit: documents asked for together go in one insert. The insert goes as soon as
 * `size()` documents are waiting (e.g. one per SMTP lane still sending), or `waitMs` after the
 * first of them arrived; documents asked for while an insert is in flight wait for the next one
 * under the same rule. Each caller waits for its own documents to be stored, so "recorded before
 * the SMTP call" holds with one round trip for many parallel lanes. Why wait at all: on FerretDB
 * an insert's fixed cost (round trip, transaction, sync) is several times a small document's;
 * lanes whose claims went together send together and claim together again. `write` resolves to
 * the ids that already existed (duplicate keys).
 */
export class GroupInsert<T extends Doc> {
  private pending: Array<{ docs: T[]; done: (duplicates: Set<string>) => void; fail: (error: unknown) => void }> = [];
  private waiting = 0;
  private flushing = false;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly collection: string,
    private readonly group: { size: () => number; waitMs: number } = { size: () => 1, waitMs: 0 },
  ) {}

  write(docs: T[]): Promise<Set<string>> {
    return new Promise((done, fail) => {
      this.pending.push({ docs, done, fail });
      this.waiting += docs.length;
      this.consider();
    });
  }

  /** Inserts now if everyone expected is waiting, else within `waitMs`; to call when `size()` may have dropped. */
  consider(): void {
    if (this.flushing || !this.pending.length) return;
    if (this.waiting >= this.group.size()) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.group.waitMs);
  }

  private async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.flushing = true;
    const batch = this.pending.splice(0);
    this.waiting = 0;
    try {
      const duplicates = await insertIgnoringDuplicates(this.collection, batch.flatMap((b) => b.docs));
      for (const caller of batch) caller.done(duplicates);
    } catch (error) {
      for (const caller of batch) caller.fail(error);
    }
    this.flushing = false;
    this.consider();
  }
}

/**
 * Appends documents without waiting: they are inserted every `everyMs` or once `maxDocs` are
 * waiting, whichever comes first. `drain` inserts what is left and reports a failed insert.
 */
export class BufferedInsert<T extends Doc> {
  private buffer: T[] = [];
  private timer?: NodeJS.Timeout;
  private inFlight: Promise<unknown> = Promise.resolve();
  private failure: unknown;

  constructor(
    private readonly collection: string,
    private readonly limits: { everyMs: number; maxDocs: number },
  ) {}

  append(doc: T): void {
    this.buffer.push(doc);
    if (this.buffer.length >= this.limits.maxDocs) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.limits.everyMs);
  }

  async drain(): Promise<void> {
    this.flush();
    await this.inFlight;
    if (this.failure) throw this.failure;
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const docs = this.buffer.splice(0);
    if (!docs.length) return;
    this.inFlight = this.inFlight.then(() => insertIgnoringDuplicates(this.collection, docs)).catch((error: unknown) => (this.failure ??= error));
  }
}

/** Inserts delivery events; returns the ids that were already there. Other errors propagate. */
export function insertEvents(docs: DeliveryEventRecord[]): Promise<Set<string>> {
  return insertIgnoringDuplicates(DeliveryEvent.collection.collectionName, docs);
}

/**
 * One `insert` command (the driver's insertMany goes through its bulk-write machinery, which
 * serialises every document once more to size the batch). Returns the ids that were already
 * there; any other write error throws.
 */
async function insertIgnoringDuplicates(collection: string, docs: Doc[]): Promise<Set<string>> {
  const duplicates = new Set<string>();
  if (!docs.length) return duplicates;
  for (let start = 0; start < docs.length; start += 1000) {
    const chunk = docs.slice(start, start + 1000); // far below a command's 16 MB
    const reply = await mongoose.connection.db!.command({ insert: collection, documents: chunk, ordered: false });
    for (const e of (reply.writeErrors ?? []) as Array<{ code?: number; index: number; errmsg?: string }>) {
      if (e.code !== 11000) throw Object.assign(new Error(e.errmsg ?? 'insert failed'), { code: e.code });
      duplicates.add(String(chunk[e.index]._id));
    }
  }
  return duplicates;
}
