import { DeliveryEvent, type DeliveryEventRecord } from './delivery.model.js';

/**
 * Group commit for delivery events: writes asked for while a write is in flight go together in
 * the next insertMany. Each caller waits for its own events to be stored, so "recorded before
 * the SMTP call" still holds, with one round trip for many parallel senders.
 * `write` resolves to the ids that already existed (duplicate keys): for a `sending` event, the
 * attempt was already claimed and must not be sent.
 */
export class EventLog {
  private pending: Array<{ docs: DeliveryEventRecord[]; done: (duplicates: Set<string>) => void; fail: (error: unknown) => void }> = [];
  private flushing = false;

  write(docs: DeliveryEventRecord[]): Promise<Set<string>> {
    return new Promise((done, fail) => {
      this.pending.push({ docs, done, fail });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.pending.length) {
      const batch = this.pending.splice(0);
      try {
        const duplicates = await insertEvents(batch.flatMap((b) => b.docs));
        for (const caller of batch) caller.done(duplicates);
      } catch (error) {
        for (const caller of batch) caller.fail(error);
      }
    }
    this.flushing = false;
  }
}

/** Inserts events; returns the ids that were already there. Other errors propagate. */
export async function insertEvents(docs: DeliveryEventRecord[]): Promise<Set<string>> {
  const duplicates = new Set<string>();
  if (!docs.length) return duplicates;
  try {
    await DeliveryEvent.collection.insertMany(docs as never[], { ordered: false });
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
