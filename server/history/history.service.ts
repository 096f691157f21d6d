import { Types } from 'mongoose';
import { insertDocuments } from '../lib/db.js';
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

/** What a record's creation changed: each non-empty field, from nothing (diffFields against {}, without comparing). */
export function creationChanges(doc: Record<string, unknown>, fields: readonly string[]): Change[] {
  const changes: Change[] = [];
  for (const field of fields) {
    const value = plain(doc[field]);
    if (value === null || value === '' || (Array.isArray(value) && !value.length)) continue;
    changes.push({ field, before: null, after: value });
  }
  return changes;
}

const key = (resource: HistoryResource, record: Types.ObjectId | string) => `${resource}:${record}`;

type Entry = { action: HistoryAction; at: Date; actor?: unknown; actorName?: string; via?: string; changes: Change[]; changesJson?: string; mergedFrom?: unknown; import?: unknown };

/** An entry's changes, whichever form they were stored in. */
const entryChanges = (entry: Pick<Entry, 'changes' | 'changesJson'>): Change[] => (entry.changesJson ? (JSON.parse(entry.changesJson) as Change[]) : (entry.changes ?? []));

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
      via: entry.via ?? 'staff',
      changes: entryChanges(entry),
      ...(entry.mergedFrom ? { mergedFrom: String(entry.mergedFrom) } : {}),
      ...(entry.import ? { import: String(entry.import) } : {}),
    }))
    .sort((a, b) => b.at.getTime() - a.at.getTime() || b.id.localeCompare(a.id, 'en', { numeric: true }));
}

export type HistoryInput = {
  resource: HistoryResource;
  record: Types.ObjectId | string;
  action: HistoryAction;
  actor?: Actor;
  /** Through what the change came: `staff` (the default), `import:<id>`, `merge`, `theme-deletion`, `migration:<n>`... */
  via?: string;
  changes?: Change[];
  mergedFrom?: Types.ObjectId | string;
};

/** The stored form of an entry (written raw: Mongoose casting each entry cost more than the write). */
function storedEntry(entry: HistoryInput, at: Date, asJson = false) {
  const item: Record<string, unknown> = {
    action: entry.action,
    at,
    actorName: entry.actor?.name ?? 'système',
    via: entry.via ?? 'staff',
    ...(asJson ? { changes: [], changesJson: JSON.stringify(entry.changes ?? []) } : { changes: entry.changes ?? [] }),
  };
  if (entry.actor?.id) item.actor = new Types.ObjectId(entry.actor.id);
  if (entry.mergedFrom) item.mergedFrom = new Types.ObjectId(String(entry.mergedFrom));
  if (entry.via?.startsWith('import:')) item.import = new Types.ObjectId(entry.via.slice('import:'.length));
  return item;
}

function appendOperation(entry: HistoryInput, at: Date) {
  return {
    updateOne: {
      filter: { _id: key(entry.resource, entry.record) },
      update: { $push: { entries: storedEntry(entry, at) }, $set: { resource: entry.resource, record: new Types.ObjectId(String(entry.record)) } },
      upsert: true,
    },
  };
}

export async function recordHistory(entry: HistoryInput): Promise<void> {
  await recordHistories([entry]);
}

/** Many entries at once (a batch of an import): FerretDB runs a bulk write's statements one by one, so several go in parallel. */
export async function recordHistories(entries: readonly HistoryInput[]): Promise<void> {
  if (!entries.length) return;
  const at = new Date();
  const operations = entries.map((entry) => appendOperation(entry, at));
  const size = Math.max(50, Math.ceil(operations.length / 8));
  const chunks = [];
  for (let i = 0; i < operations.length; i += size) chunks.push(operations.slice(i, i + size));
  await Promise.all(chunks.map((chunk) => History.collection.bulkWrite(chunk as never, { ordered: false })));
}

/**
 * The first entry of records just created (new ids: no history yet): each history starts as
 * an insert, which costs the database a fraction of an upsert's read-then-write, with its
 * changes as one JSON string (see `changesJson`). Should a
 * history already exist, its entry is appended as usual.
 */
export async function startHistories(entries: readonly HistoryInput[]): Promise<void> {
  if (!entries.length) return;
  const at = new Date();
  const docs = entries.map((entry) => ({ _id: key(entry.resource, entry.record), resource: entry.resource, record: new Types.ObjectId(String(entry.record)), entries: [storedEntry(entry, at, true)] }));
  const taken = await insertDocuments(History.collection.collectionName, docs);
  if (taken.length) await recordHistories(taken.map((i) => entries[i]));
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
    doc.entries.map((entry) => ({ ...entry.toObject(), changesJson: undefined, changes: entryChanges(entry.toObject() as Entry).map((c) => ({ field: c.field, before: null, after: null })) })),
  );
  await doc.save();
}
