import { Types } from 'mongoose';
import type { ListQuery } from '../lib/rest.js';
import type { Actor } from '../users/user.service.js';
import { History, type HistoryAction, type HistoryResource } from './history.model.js';

export type Change = { field: string; before: unknown; after: unknown };

/** Comparable form of a stored value (ObjectIds and dates as strings, arrays compared in order). */
function plain(value: unknown): unknown {
  if (value instanceof Types.ObjectId) return String(value);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object' && 'toObject' in value) return plain((value as { toObject(): unknown }).toObject());
  return value ?? null;
}

/** The fields whose value differs between two versions of a record. */
export function diffFields(before: Record<string, unknown>, after: Record<string, unknown>, fields: readonly string[]): Change[] {
  const changes: Change[] = [];
  for (const field of fields) {
    const a = plain(before[field]);
    const b = plain(after[field]);
    const empty = (v: unknown) => v === null || v === '' || (Array.isArray(v) && !v.length);
    if (empty(a) && empty(b)) continue;
    if (JSON.stringify(a) !== JSON.stringify(b)) changes.push({ field, before: a, after: b });
  }
  return changes;
}

const key = (resource: HistoryResource, record: Types.ObjectId | string) => `${resource}:${record}`;

type Entry = { action: HistoryAction; at: Date; actor?: unknown; actorName?: string; changes: Change[]; mergedFrom?: unknown; import?: unknown };

/** The API form of an entry: newest first, with the record it belongs to. */
function present(resource: HistoryResource, record: unknown, entries: Entry[]) {
  return entries
    .map((entry, i) => ({
      id: `${resource}:${record}:${i}`,
      resource,
      record: String(record),
      action: entry.action,
      at: entry.at,
      actor: entry.actor ? String(entry.actor) : undefined,
      actorName: entry.actorName ?? '',
      changes: entry.changes ?? [],
      ...(entry.mergedFrom ? { mergedFrom: String(entry.mergedFrom) } : {}),
      ...(entry.import ? { import: String(entry.import) } : {}),
    }))
    .sort((a, b) => b.at.getTime() - a.at.getTime() || b.id.localeCompare(a.id, 'en', { numeric: true }));
}

export async function recordHistory(entry: {
  resource: HistoryResource;
  record: Types.ObjectId | string;
  action: HistoryAction;
  actor?: Actor;
  changes?: Change[];
  mergedFrom?: Types.ObjectId | string;
}): Promise<void> {
  const item = {
    action: entry.action,
    at: new Date(),
    actor: entry.actor?.id ? new Types.ObjectId(entry.actor.id) : undefined,
    actorName: entry.actor?.name ?? 'système',
    changes: entry.changes ?? [],
    mergedFrom: entry.mergedFrom ? new Types.ObjectId(String(entry.mergedFrom)) : undefined,
  };
  await History.updateOne(
    { _id: key(entry.resource, entry.record) },
    { $push: { entries: item }, $set: { resource: entry.resource, record: new Types.ObjectId(String(entry.record)) } },
    { upsert: true },
  );
}

/**
 * The entries of one import's batch for the contacts it changed, appended at once. A contact an
 * import created has no history document (a write per new contact would cost the import a
 * third of its speed): `importCreationEntry` gives its creation entry when it is read.
 */
export async function recordImportHistory(batch: { import: Types.ObjectId; actor?: Actor; at: Date }, updated: { record: Types.ObjectId; changes: Change[] }[]): Promise<void> {
  if (!updated.length) return;
  const entry = (changes: Change[]) => ({
    action: 'update',
    at: batch.at,
    actor: batch.actor?.id ? new Types.ObjectId(batch.actor.id) : undefined,
    actorName: batch.actor?.name ?? 'système',
    changes,
    import: batch.import,
  });
  const operations = updated.map((u) => ({
    updateOne: { filter: { _id: key('contacts', u.record) }, update: { $push: { entries: entry(u.changes) }, $set: { resource: 'contacts', record: u.record } }, upsert: true },
  }));
  await History.collection.bulkWrite(operations as never[], { ordered: false });
}

/**
 * The creation entry of a record an import created: its values then are its values now with
 * every later entry's changes rolled back (newest first).
 */
export function importCreationEntry(
  record: { _id: Types.ObjectId; createdAt?: Date; importedBy?: unknown } & Record<string, unknown>,
  later: ReturnType<typeof present>,
  fields: readonly string[],
  actor: { id?: string; name?: string },
) {
  const values: Record<string, unknown> = Object.fromEntries(fields.map((field) => [field, plain(record[field])]));
  for (const entry of later) for (const change of entry.changes) if (change.field in values) values[change.field] = change.before;
  const empty = (v: unknown) => v === null || v === '' || (Array.isArray(v) && !v.length);
  return {
    id: `contacts:${record._id}:import`,
    resource: 'contacts' as const,
    record: String(record._id),
    action: 'create' as const,
    at: record.createdAt ?? new Date(0),
    actor: actor.id,
    actorName: actor.name ?? 'système',
    changes: fields.filter((field) => !empty(values[field])).map((field) => ({ field, before: null, after: values[field] })),
    import: String(record.importedBy),
  };
}

export async function historyOf(resource: HistoryResource, record: string) {
  const doc = await History.findById(key(resource, record)).lean();
  return doc ? present(resource, record, doc.entries as Entry[]) : [];
}

/** `/api/history`: one record's entries (a lookup), or every entry of a resource (a full read). */
export async function listHistory(query: ListQuery<{ resource?: HistoryResource; record?: string; action?: HistoryAction }>) {
  const { resource, record, action } = query.filter;
  const docs = record
    ? (await Promise.all((resource ? [resource] : (['contacts', 'organisations'] as const)).map((r) => History.findById(key(r, record)).lean()))).filter((d) => d !== null)
    : await History.find(resource ? { resource } : {}).lean();
  const all = docs
    .flatMap((doc) => present(doc.resource as HistoryResource, doc.record, doc.entries as Entry[]))
    .filter((entry) => !action || entry.action === action)
    .sort((a, b) => query.sort.order * (a.at.getTime() - b.at.getTime()));
  return { items: all.slice(query.skip, query.skip + query.limit), total: all.length };
}

/** A merge keeps both histories: the absorbed record's entries move to the kept one. */
export async function moveHistory(resource: HistoryResource, from: Types.ObjectId, to: Types.ObjectId): Promise<void> {
  const absorbed = await History.findById(key(resource, from)).lean();
  if (!absorbed) return;
  const moved = (absorbed.entries as Entry[]).map((entry) => ({ ...entry, mergedFrom: from }));
  await History.updateOne({ _id: key(resource, to) }, { $push: { entries: { $each: moved } }, $set: { resource, record: to } }, { upsert: true });
  await History.deleteOne({ _id: key(resource, from) });
}

/** RGPD erase: entries keep who/when/which field, but no value. */
export async function forgetHistoryValues(resource: HistoryResource, record: Types.ObjectId): Promise<void> {
  const doc = await History.findById(key(resource, record));
  if (!doc) return;
  doc.set(
    'entries',
    doc.entries.map((entry) => ({ ...entry.toObject(), changes: entry.changes.map((c) => ({ field: c.field, before: null, after: null })) })),
  );
  await doc.save();
}
