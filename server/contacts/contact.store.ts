import type { Db, Filter, UpdateFilter } from 'mongodb';
import { Types, type Model, type Query, type Schema } from 'mongoose';
import { creationChanges, diffFields, forgetHistoryValues, moveHistory, newIdBlocks, recordHistories, startHistories, type HistoryInput } from '../history/history.service.js';
import { insertDocuments } from '../lib/db.js';
import type { HistoryAction } from '../history/history.model.js';
import type { Actor } from '../users/user.service.js';
import {
  contactIdByEmail,
  contactIdsWhere,
  contactIndex,
  contactNames,
  contactsView,
  countContactIndex,
  logPosition,
  mailingFieldsWhere,
  membershipFacts,
  noteChanged,
  noteContactsChanged,
  queryContactIndex,
  readContactsThrough,
  subscriberIds,
  subscriptionsNotedAfter,
  warmContactIndex,
} from './contact.index.js';
import { Contact, type ContactRecord } from './contact.model.js';

/**
 * The contact store: the only code that reads or writes the `contacts` collection
 * (test/architecture/contact-store.test.ts fails on any other). Every write goes through here
 * and, in the same call, tells every process's index (`contact_index_log`) and appends to each
 * contact's history who changed what, and through what (`Change.via`). Every question asked
 * of contacts (list page, count, segment count, export, a mailing's audience through
 * `mailingFieldsWhere`, ids for bulk actions) is answered by one evaluator: the in-memory index (contact.index.ts), an
 * implementation detail of this file. README "Contacts" says how it would query MongoDB instead.
 */

export { contactNames, contactsView, logPosition, mailingFieldsWhere, membershipFacts, subscriberIds, subscriptionsNotedAfter, warmContactIndex };
export type { ContactsView, MailingFields, MembershipFact } from './contact.index.js';
export { CONTACT_INDEX_SNAPSHOTS } from './contact.index.js';

// The index reads the collection only through here.
readContactsThrough({
  byIds: (ids, projection) => Contact.collection.find({ _id: { $in: ids as never[] } }, { projection }).toArray(),
  all: (projection) => Contact.collection.find({}, { projection, batchSize: 2000 }),
  reread: forgetPageDocuments,
});

/** The fields whose changes a contact's history records. */
export const HISTORY_FIELDS = [
  'civility',
  'firstName',
  'lastName',
  'email',
  'emails',
  'phones',
  'function',
  'functionLabel',
  'organisations',
  'dispositifs',
  'themes',
  'territories',
  'notes',
  'unresolvedLabels',
  'source',
] as const;

/** Who writes, and through what: `staff`, `import:<id>`, `import-undo:<id>`, `merge`, `theme-deletion`, `organisation-change`, `migration:<n>`, `subscription`, `solicitation`... */
export type Change = { actor?: Actor; via: string };

type Doc = Record<string, unknown> & { _id: Types.ObjectId };
type Where = Record<string, unknown>;
type Id = Types.ObjectId | string;

/** The index log and the histories of one write, once the write is done. */
async function recorded(ids: readonly Id[], entries: Omit<HistoryInput, 'resource' | 'actor' | 'via'>[], change: Change): Promise<void> {
  await noteContactsChanged(ids);
  await recordHistories(entries.map((entry) => ({ ...entry, resource: 'contacts' as const, actor: change.actor, via: change.via })));
}

const historyOf = (before: object, after: object) => diffFields(before as Record<string, unknown>, after as Record<string, unknown>, HISTORY_FIELDS);
const creationOf = (doc: Record<string, unknown>) => creationChanges(doc, HISTORY_FIELDS);

// ---------- reads ----------

/** A contact as a Mongoose document (to change and `saveContact`), or null. */
export async function findContact(id: Id) {
  return Contact.findById(id);
}

/** The contact holding this normalised address (primary or other), from the index. */
export async function findContactByAddress(address: string) {
  const id = await contactIdByEmail(address);
  return id ? Contact.findById(id) : null;
}

/** The stored documents of these contacts (lookups by `_id`, in groups), in no particular order. */
export async function readContacts(ids: readonly (Id | null | undefined)[], projection?: Record<string, 0 | 1>): Promise<ContactRecord[]> {
  const wanted = ids.filter((id): id is Id => Boolean(id));
  const found: ContactRecord[] = [];
  for (let i = 0; i < wanted.length; i += 1000) {
    const docs = await Contact.find({ _id: { $in: wanted.slice(i, i + 1000) } }, projection).lean();
    for (const doc of docs) found.push(withDefaults(doc, projection) as ContactRecord);
  }
  return found;
}

/** One contact's stored document, or null. */
export async function readContact(id: Id | null | undefined, projection?: Record<string, 0 | 1>): Promise<ContactRecord | null> {
  return id ? ((await readContacts([id], projection))[0] ?? null) : null;
}

/** Whether a contact with this id exists (answered from the index). */
export async function contactExists(id: Id | null | undefined): Promise<boolean> {
  if (!id || !Types.ObjectId.isValid(String(id))) return false;
  return (await contactIndex()).entries.has(String(id));
}

/** What a list page shows of a contact: its stored document, `_id` as `id`, without its derived words. */
const PAGE_PROJECTION = { searchText: 0, searchTokens: 0, __v: 0 } as const;

type PageDocument = Readonly<Record<string, unknown>>;

/**
 * The page documents read lately (staff reopen the same pages all day): each is dropped when the
 * index re-reads its contact after any process's write, all of them when the index reloads.
 */
const pageDocuments = new Map<string, PageDocument>();
const PAGE_DOCUMENTS_KEPT = 2000;
/** Changes at every drop: a read that began before one does not keep what it read (it may predate the write). */
let pageDocumentsGeneration = 0;

function forgetPageDocuments(ids: readonly string[] | 'all'): void {
  pageDocumentsGeneration++;
  if (ids === 'all') pageDocuments.clear();
  else for (const id of ids) pageDocuments.delete(id);
}

function keepPageDocument(id: string, doc: PageDocument): void {
  pageDocuments.delete(id); // to the end: the least recently used come first
  pageDocuments.set(id, doc);
  if (pageDocuments.size > PAGE_DOCUMENTS_KEPT) pageDocuments.delete(pageDocuments.keys().next().value!);
}

/** These contacts' page documents, in this order: from memory, the others read by `_id`. */
async function pageDocumentsOf(ids: readonly string[]): Promise<PageDocument[]> {
  const generation = pageDocumentsGeneration;
  const known = new Map(ids.map((id) => [id, pageDocuments.get(id)]));
  const missing = ids.filter((id) => !known.get(id));
  for (const { _id, ...doc } of missing.length ? await readContacts(missing, PAGE_PROJECTION) : []) {
    known.set(String(_id), Object.freeze({ ...doc, id: String(_id) }));
  }
  const page = ids.map((id) => known.get(id)).filter((doc): doc is PageDocument => Boolean(doc));
  // Screen pages only: a batch reader (event figures, a thousand at a time) would evict them.
  if (generation === pageDocumentsGeneration && ids.length <= 100) for (const doc of page) keepPageDocument(doc.id as string, doc);
  return page;
}

/** One page of the contacts matching a Mongo filter built by `contactQuery`, and their total. */
export async function contactPage(where: Where, options: { sort: { field: string; order: 1 | -1 }; skip: number; limit: number }) {
  const { ids, total } = await queryContactIndex(where, options);
  return { items: await pageDocumentsOf(ids), total };
}

export async function countContacts(where: Where): Promise<number> {
  return countContactIndex(where);
}

/** Whether any contact (erased ones included) matches a Mongo filter, e.g. `{ themes: id }`. */
export async function someContactMatches(where: Where): Promise<boolean> {
  return (await countContactIndex(where)) > 0;
}

/** The ids of every contact matching a Mongo filter built by `contactQuery`, by name. */
export async function contactIdsMatching(where: Where): Promise<string[]> {
  return (await queryContactIndex(where, { sort: { field: 'sortName', order: 1 }, skip: 0, limit: Number.MAX_SAFE_INTEGER })).ids;
}

/** The stored documents of these contacts in this order, read by `_id` in groups (exports). */
export async function* readContactsInOrder(ids: readonly string[], projection?: Record<string, 0 | 1>): AsyncGenerator<Doc> {
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const byId = new Map((await readContacts(chunk, projection)).map((doc) => [String(doc._id), doc as unknown as Doc]));
    for (const id of chunk) if (byId.has(id)) yield byId.get(id)!;
  }
}

/** The ids of the contacts belonging to an organisation. */
export async function contactIdsOfOrganisation(organisation: Id): Promise<string[]> {
  return contactIdsWhere({ organisations: { $in: [new Types.ObjectId(String(organisation))] } });
}

/** Every indexed contact's filter fields (the activity report counts on them). */
export async function indexedContacts() {
  return (await contactIndex()).entries.values();
}

// ---------- writes, one at a time ----------

export async function insertContact(fields: Record<string, unknown>, change: Change) {
  const contact = await Contact.create(fields);
  await recorded([contact._id], [{ record: contact._id, action: 'create', changes: historyOf({}, contact.toObject()) }], change);
  return contact;
}

/**
 * Saves a contact document changed by the caller (`before`: its plain values before the
 * change). `erase` forgets the values of its past history; `merge` names the absorbed contact.
 */
export async function saveContact(
  contact: InstanceType<typeof Contact>,
  before: object,
  change: Change,
  action: Extract<HistoryAction, 'update' | 'erase'> = 'update',
): Promise<void> {
  await contact.save();
  if (action === 'erase') {
    await forgetHistoryValues('contacts', contact._id);
    await recorded([contact._id], [{ record: contact._id, action }], change);
    return;
  }
  const changes = historyOf(before, contact.toObject());
  await recorded([contact._id], changes.length ? [{ record: contact._id, action, changes }] : [], change);
}

export async function deleteContact(contact: InstanceType<typeof Contact>, change: Change): Promise<void> {
  await contact.deleteOne();
  await recorded([contact._id], [{ record: contact._id, action: 'delete', changes: historyOf(contact.toObject(), {}) }], change);
}

/** Saves the kept contact of a merge, deletes the absorbed one, and joins their histories. */
export async function mergeInto(target: InstanceType<typeof Contact>, before: object, source: InstanceType<typeof Contact>, change: Change): Promise<void> {
  await target.save();
  await source.deleteOne();
  await noteContactsChanged([target._id, source._id]);
  await moveHistory('contacts', source._id, target._id);
  await recorded([], [{ record: target._id, action: 'merge', mergedFrom: source._id, changes: historyOf(before, target.toObject()) }], change);
}

// ---------- writes in batches (imports, theme deletion, migrations) ----------

/** FerretDB runs a bulk write's statements one by one: several smaller ones at once go faster. */
async function parallelBulkWrite(operations: unknown[]): Promise<number> {
  const size = Math.max(50, Math.ceil(operations.length / 8));
  const chunks = [];
  for (let i = 0; i < operations.length; i += size) chunks.push(operations.slice(i, i + size));
  const results = await Promise.all(chunks.map((chunk) => Contact.collection.bulkWrite(chunk as never, { ordered: false })));
  return results.reduce((sum, result) => sum + result.matchedCount, 0);
}

/**
 * The model's defaults, read once from its schema. Batches build new contacts as plain
 * objects (rows are already validated): a Mongoose document per row cost more than the insert.
 */
const schemaDefaults = Object.entries((({ _id, email, ...defaults }) => defaults)(new Contact({ email: 'x@x.fr' }).toObject()));
export function newContactDefaults(): Record<string, unknown> {
  const doc: Record<string, unknown> = {};
  for (const [field, value] of schemaDefaults) doc[field] = Array.isArray(value) ? [] : value; // strings and empty lists
  return doc;
}

/**
 * New contacts written in bulk are stored without their empty lists and nulls: FerretDB/SQLite's
 * cost is per stored value, and a third of an imported contact's fields are empty. Every read
 * gives them back: Mongoose documents from the schema's defaults, `readContacts` through
 * `withDefaults`, the index takes a missing list as empty; a query's `$in` on a list (the
 * only way contact.filter.ts asks about lists) matches neither.
 */
const isEmpty = (value: unknown) => value === null || value === undefined || (Array.isArray(value) && !value.length);
function storedForm(doc: Doc): Doc {
  const stored = {} as Doc;
  for (const field in doc) if (!isEmpty(doc[field])) stored[field] = doc[field];
  return stored;
}
function withDefaults(doc: Record<string, unknown>, projection?: Record<string, 0 | 1>): Record<string, unknown> {
  const inclusive = projection && Object.values(projection).includes(1);
  for (const [field, value] of schemaDefaults) {
    const wanted = !projection || (inclusive ? projection[field] === 1 : projection[field] !== 0);
    if (wanted && doc[field] === undefined) doc[field] = Array.isArray(value) ? [] : value;
  }
  return doc;
}

/** Ids for contacts created together (an import's batch): their histories then start in one document. */
export const newContactIds = (count: number): Types.ObjectId[] => newIdBlocks(count);

/** New contacts, as complete documents (derived fields included), written raw. */
export async function insertContacts(docs: readonly Doc[], change: Change): Promise<void> {
  if (!docs.length) return;
  let written: readonly Doc[] = docs;
  try {
    const taken = await insertDocuments(Contact.collection.collectionName, docs.map(storedForm));
    if (taken.length) {
      const failed = new Set(taken);
      written = docs.filter((_, i) => !failed.has(i));
      throw Object.assign(new Error(`E11000 duplicate key: ${taken.length} contact(s) not inserted`), { code: 11000 });
    }
  } finally {
    // even when some failed, the others are written: the log names them all (the index reads what exists)
    await noteContactsChanged(docs.map((doc) => doc._id));
    await startHistories(written.map((doc) => ({ resource: 'contacts', record: doc._id, action: 'create', actor: change.actor, via: change.via, changes: creationOf(doc) })));
  }
}

export type ContactUpdate = { before: Doc; $set: Record<string, unknown>; $unset?: Record<string, ''> };

/** Updates many contacts, each from its known previous values; returns how many were found. */
export async function updateContacts(updates: readonly ContactUpdate[], change: Change): Promise<number> {
  if (!updates.length) return 0;
  const operations = updates.map(({ before, $set, $unset }) => ({
    updateOne: { filter: { _id: before._id }, update: $unset && Object.keys($unset).length ? { $set, $unset } : { $set } },
  }));
  let matched = 0;
  try {
    matched = await parallelBulkWrite(operations);
  } finally {
    const entries = updates.map(({ before, $set, $unset }) => {
      const after: Record<string, unknown> = { ...before, ...$set };
      for (const field of Object.keys($unset ?? {})) delete after[field];
      return { record: before._id, action: 'update' as const, changes: historyOf(before, after) };
    });
    await recorded(
      updates.map((u) => u.before._id),
      entries.filter((e) => e.changes.length),
      change,
    );
  }
  return matched;
}

/** Deletes many contacts (an import undone). */
export async function deleteContacts(ids: readonly Id[], change: Change): Promise<void> {
  if (!ids.length) return;
  await Contact.deleteMany({ _id: { $in: ids } });
  await recorded(ids, ids.map((id) => ({ record: id, action: 'delete' as const })), change);
}

/** Untags a deleted theme from every contact holding it. */
export async function removeTheme(theme: Types.ObjectId, change: Change): Promise<void> {
  const ids = await contactIdsWhere({ themes: { $in: [theme] } });
  const befores = (await readContacts(ids, { themes: 1 })) as unknown as Doc[];
  await Contact.updateMany({ _id: { $in: ids } }, { $pull: { themes: theme } });
  const entries = befores.map((before) => {
    const themes = (before.themes as Types.ObjectId[]).filter((t) => !t.equals(theme));
    return { record: before._id, action: 'update' as const, changes: historyOf(before, { ...before, themes }) };
  });
  await recorded(ids, entries, change);
}

/**
 * A data migration's update of every contact matching `filter` (server/ops/migrations use
 * the raw driver they are given): logged and written in each contact's history.
 */
export async function migrateContacts(db: Db, filter: Filter<Doc>, update: UpdateFilter<Doc>, change: Change): Promise<void> {
  const contacts = db.collection<Doc>('contacts');
  const ids = (await contacts.find(filter, { projection: { _id: 1 } }).toArray()).map((doc) => doc._id);
  if (!ids.length) return;
  await contacts.updateMany({ _id: { $in: ids } }, update);
  const fields = Object.keys(update.$set ?? {});
  await recorded(ids, ids.map((id) => ({ record: id, action: 'update' as const, changes: fields.map((field) => ({ field, before: null, after: (update.$set as Record<string, unknown>)[field] })) })), change);
}

// ---------- what the filter needs of subscriptions and memberships ----------

/**
 * Keeps the index's subscription and membership facts current: a Mongoose plugin for the
 * `Subscription` and `Membership` schemas (each model's one place), noting every document or
 * query write in the index log. Raw driver writes escape it: they call `noteChanged`
 * themselves (test/architecture/contact-store.test.ts lists where).
 */
export function feedsContactIndex(kind: 'subscriptions' | 'memberships') {
  const note = (ids: readonly Id[]) => noteChanged({ [kind]: ids });
  const queryWrites = ['updateOne', 'updateMany', 'deleteOne', 'deleteMany', 'findOneAndUpdate', 'findOneAndDelete', 'findOneAndReplace', 'replaceOne'];
  return (schema: Schema) => {
    schema.post('save', async function () {
      await note([this._id as Id]);
    });
    schema.post('insertMany', async function (docs: unknown) {
      await note((docs as Array<{ _id: Id }>).map((doc) => doc._id));
    });
    schema.post('deleteOne', { document: true, query: false }, async function () {
      await note([this._id as Id]);
    });
    // A query names its documents by a filter: their ids are read before the write (the
    // write reads them too), and an upserted one is taken from the result.
    schema.pre(queryWrites as 'updateOne'[], { document: false, query: true }, async function (this: Query<unknown, unknown>) {
      (this as unknown as { noted: Id[] }).noted = await idsMatching(this.model, this.getFilter());
    });
    schema.post(queryWrites as 'updateOne'[], { document: false, query: true }, async function (this: Query<unknown, unknown>, result: unknown) {
      const upserted = (result as { upsertedId?: Id; _id?: Id } | null)?.upsertedId ?? (result as { _id?: Id } | null)?._id;
      await note([...((this as unknown as { noted?: Id[] }).noted ?? []), ...(upserted ? [upserted] : [])]);
    });
  };
}

async function idsMatching(model: Model<any>, filter: Record<string, unknown>): Promise<Id[]> {
  const id = filter._id as { $in?: unknown } | undefined;
  if (typeof id === 'string' || id instanceof Types.ObjectId) return [id]; // noting one more than written is harmless
  if (Array.isArray(id?.$in)) return id.$in as Id[];
  return (await model.find(filter, { _id: 1 }).lean()).map((doc) => doc._id as Id);
}

/** For raw driver writes of subscriptions or memberships (a merge's re-pointing, an erasure). */
export async function noteFactsChanged(changes: { subscriptions?: readonly Id[]; memberships?: readonly Id[] }): Promise<void> {
  await noteChanged(changes);
}
