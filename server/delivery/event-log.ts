import type { Collection } from 'mongodb';
import { DeliveryEvent, type DeliveryEventRecord } from './delivery.model.js';

type Doc = { _id: string };

/**
 * Group commit: documents asked for within `waitMs` of each other, or while an insert is in
 * flight, go together in one insertMany; at `size` documents waiting it goes at once. Each
 * caller waits for its own documents to be stored, so "recorded before the SMTP call" holds with
 * one round trip for many parallel lanes. Why wait at all: on FerretDB an insert's fixed cost
 * (round trip, transaction, sync) is several times a small document's; lanes whose claims went
 * together send together and claim together again. `write` resolves to the ids that already
 * existed (duplicate keys).
 */
export class GroupInsert<T extends Doc> {
  private pending: Array<{ docs: T[]; done: (duplicates: Set<string>) => void; fail: (error: unknown) => void }> = [];
  private waiting = 0;
  private flushing = false;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly collection: Collection<Doc>,
    private readonly group: { size: number; waitMs: number } = { size: 1, waitMs: 0 },
  ) {}

  write(docs: T[]): Promise<Set<string>> {
    return new Promise((done, fail) => {
      this.pending.push({ docs, done, fail });
      this.waiting += docs.length;
      if (this.flushing) return;
      if (this.waiting >= this.group.size) void this.flush();
      else this.timer ??= setTimeout(() => void this.flush(), this.group.waitMs);
    });
  }

  private async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.flushing = true;
    while (this.pending.length) {
      const batch = this.pending.splice(0);
      this.waiting = 0;
      try {
        const duplicates = await insertIgnoringDuplicates(this.collection, batch.flatMap((b) => b.docs));
        for (const caller of batch) caller.done(duplicates);
      } catch (error) {
        for (const caller of batch) caller.fail(error);
      }
    }
    this.flushing = false;
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
    private readonly collection: Collection<Doc>,
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
  return insertIgnoringDuplicates(DeliveryEvent.collection as unknown as Collection<Doc>, docs);
}

async function insertIgnoringDuplicates(collection: Collection<Doc>, docs: Doc[]): Promise<Set<string>> {
  const duplicates = new Set<string>();
  if (!docs.length) return duplicates;
  try {
    await collection.insertMany(docs, { ordered: false });
  } catch (error) {
    const writeErrors = (error as { writeErrors?: Array<{ code?: number; index?: number; err?: { code?: number; index?: number } }> }).writeErrors;
    const list = Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : [];
    if (!list.length && (error as { code?: number }).code !== 11000) throw error;
    for (const e of list) {
      const code = e.code ?? e.err?.code;
      const index = e.index ?? e.err?.index;
      if (code !== 11000) throw error;
      if (index !== undefined) duplicates.add(String(docs[index]._id));
    }
    if (!list.length) docs.forEach((d) => duplicates.add(String(d._id)));
  }
  return duplicates;
}
