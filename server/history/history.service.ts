import { randomBytes } from 'node:crypto';
import { Types } from 'mongoose';
import { insertDocuments } from '../lib/db.js';
import type { ListQuery } from '../lib/rest.js';
import type { Actor } from '../users/user.service.js';
import { HISTORY_RESOURCES, History, type HistoryAction, type HistoryResource } from './history.model.js';

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
 * changes as one JSON string (see `changesJson`). Records created together whose ids come from
 * one block (`newIdBlocks`) start in one document for the block (see `BlockDoc`). Should a
 * history already exist, its entry is appended as usual.
 */
export async function startHistories(entries: readonly HistoryInput[]): Promise<void> {
  if (!entries.length) return;
  const at = new Date();
  const { blocks, single } = groupByBlock(entries);
  const blockDocs = blocks.map((group) => blockDoc(group, at));
  const takenBlocks = await insertDocuments(History.collection.collectionName, blockDocs);
  const alone = [...single, ...takenBlocks.flatMap((i) => blocks[i])];
  const docs = alone.map((entry) => ({ _id: key(entry.resource, entry.record), resource: entry.resource, record: new Types.ObjectId(String(entry.record)), entries: [storedEntry(entry, at, true)] }));
  const taken = await insertDocuments(History.collection.collectionName, docs);
  if (taken.length) await recordHistories(taken.map((i) => alone[i]));
}

// ---------- histories started by block ----------

/**
 * FerretDB/SQLite's cost is per document written: an import's first history entries, one
 * document per contact, were a third of its commit. Contacts created together take their ids
 * from one block (ids equal but for their last BLOCK_BITS bits) and their first entries share
 * one document, whose `_id` any of those ids gives back: reading a history stays two lookups by
 * `_id`. A merge or an erasure moves the record's entry to its own document first (`detach`).
 */
const BLOCK_BITS = 10;
const BLOCK_SIZE = 1 << BLOCK_BITS;

type BlockDoc = {
  _id: string;
  resource: HistoryResource;
  /** The records, in the order of `changesJson`. */
  records: Types.ObjectId[];
  /** Their common entry (action, at, who, through what), without changes. */
  entry: Omit<Entry, 'changes' | 'changesJson'>;
  changesJson: string[];
};

/** Clears an id's last BLOCK_BITS bits: the first id of its block. */
function toBlockStart(id: Buffer): Buffer {
  id[11] = 0;
  id[10] &= ~((1 << (BLOCK_BITS - 8)) - 1);
  return id;
}

/** `count` new ids, in blocks: each block's ids differ only in their last BLOCK_BITS bits (a fresh random middle per block). */
export function newIdBlocks(count: number): Types.ObjectId[] {
  const ids: Types.ObjectId[] = [];
  while (ids.length < count) {
    const first = Buffer.alloc(12);
    first.writeUInt32BE(Math.floor(Date.now() / 1000), 0);
    randomBytes(8).copy(first, 4);
    toBlockStart(first);
    const size = Math.min(BLOCK_SIZE, count - ids.length);
    for (let k = 0; k < size; k++) {
      const id = Buffer.from(first);
      id.writeUIntBE(first.readUIntBE(9, 3) + k, 9, 3);
      ids.push(new Types.ObjectId(id));
    }
  }
  return ids;
}

/** The `_id` of the block document a record's first entry may be in. */
function blockKey(resource: HistoryResource, record: Types.ObjectId | string): string {
  return `${resource}-block:${toBlockStart(Buffer.from(String(record), 'hex')).toString('hex')}`;
}

/** Entries of two or more records of one block, with one action, actor and origin, go together. */
function groupByBlock(entries: readonly HistoryInput[]): { blocks: HistoryInput[][]; single: HistoryInput[] } {
  const groups = new Map<string, HistoryInput[]>();
  for (const entry of entries) {
    const group = `${blockKey(entry.resource, entry.record)} ${entry.action} ${entry.actor?.id ?? ''} ${entry.via ?? ''} ${entry.mergedFrom ?? ''}`;
    const members = groups.get(group);
    if (members) members.push(entry);
    else groups.set(group, [entry]);
  }
  const all = [...groups.values()];
  return { blocks: all.filter((group) => group.length > 1), single: all.filter((group) => group.length === 1).flat() };
}

function blockDoc(group: HistoryInput[], at: Date): BlockDoc {
  const { changes: _, ...entry } = storedEntry(group[0], at) as Entry;
  return {
    _id: blockKey(group[0].resource, group[0].record),
    resource: group[0].resource,
    records: group.map((e) => new Types.ObjectId(String(e.record))),
    entry,
    changesJson: group.map((e) => JSON.stringify(e.changes ?? [])),
  };
}

/** A block's entry for its i-th record. */
const entryInBlock = (block: BlockDoc, i: number): Entry => ({ ...block.entry, changes: [], changesJson: block.changesJson[i] });

/** Moves a record's entry out of its block document into its own history. */
async function detach(resource: HistoryResource, record: Types.ObjectId): Promise<void> {
  const block = await History.collection.findOne<BlockDoc>({ _id: blockKey(resource, record) as never });
  const i = block?.records.findIndex((r) => String(r) === String(record)) ?? -1;
  if (!block || i < 0) return;
  const entry = entryInBlock(block, i);
  block.records.splice(i, 1);
  block.changesJson.splice(i, 1);
  await History.collection.updateOne({ _id: block._id as never }, { $set: { records: block.records, changesJson: block.changesJson } });
  await History.collection.updateOne({ _id: key(resource, record) as never }, { $push: { entries: entry as never }, $set: { resource, record } }, { upsert: true });
}

// ---------- reads ----------

type RecordEntries = { resource: HistoryResource; record: unknown; entries: Entry[] };

/** Per record, its entries from its own document and from block documents. */
function byRecord(docs: Array<Record<string, unknown>>): RecordEntries[] {
  const records = new Map<string, RecordEntries>();
  const of = (resource: HistoryResource, record: unknown) => {
    const id = `${resource}:${record}`;
    if (!records.has(id)) records.set(id, { resource, record, entries: [] });
    return records.get(id)!;
  };
  for (const doc of docs) {
    if ('records' in doc) {
      const block = doc as unknown as BlockDoc;
      block.records.forEach((record, i) => of(block.resource, record).entries.unshift(entryInBlock(block, i)));
    } else {
      of(doc.resource as HistoryResource, doc.record).entries.push(...(doc.entries as Entry[]));
    }
  }
  return [...records.values()];
}

export async function historyOf(resource: HistoryResource, record: string) {
  const docs = await History.collection.find({ _id: { $in: [key(resource, record), blockKey(resource, record)] as never[] } }).toArray();
  const mine = byRecord(docs).find((r) => String(r.record) === String(record));
  return mine ? present(resource, record, mine.entries) : [];
}

/** `/api/history`: one record's entries (lookups by `_id`), or every entry of a resource (a full read). */
export async function listHistory(query: ListQuery<{ resource?: HistoryResource; record?: string; action?: HistoryAction }>) {
  const { resource, record, action } = query.filter;
  const resources = resource ? [resource] : HISTORY_RESOURCES;
  const records = record
    ? (await Promise.all(resources.map((r) => historyOf(r, record)))).flat()
    : byRecord(await History.collection.find(resource ? { resource } : {}).toArray()).flatMap((r) => present(r.resource, r.record, r.entries));
  const all = records.filter((entry) => !action || entry.action === action).sort((a, b) => query.sort.order * (a.at.getTime() - b.at.getTime()));
  return { items: all.slice(query.skip, query.skip + query.limit), total: all.length };
}

/** A merge keeps both histories: the absorbed record's entries move to the kept one. */
export async function moveHistory(resource: HistoryResource, from: Types.ObjectId, to: Types.ObjectId): Promise<void> {
  await detach(resource, from);
  const absorbed = await History.findById(key(resource, from)).lean();
  if (!absorbed) return;
  const moved = (absorbed.entries as Entry[]).map((entry) => ({ ...entry, mergedFrom: from }));
  await History.updateOne({ _id: key(resource, to) }, { $push: { entries: { $each: moved } }, $set: { resource, record: to } }, { upsert: true });
  await History.deleteOne({ _id: key(resource, from) });
}

/** RGPD erase: entries keep who/when/which field, but no value. */
export async function forgetHistoryValues(resource: HistoryResource, record: Types.ObjectId): Promise<void> {
  await detach(resource, record);
  const doc = await History.findById(key(resource, record));
  if (!doc) return;
  doc.set(
    'entries',
    doc.entries.map((entry) => ({ ...entry.toObject(), changesJson: undefined, changes: entryChanges(entry.toObject() as Entry).map((c) => ({ field: c.field, before: null, after: null })) })),
  );
  await doc.save();
}
