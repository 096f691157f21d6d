import { Binary, BSON } from 'mongodb';
import mongoose, { Types } from 'mongoose';
import { randomUUID } from 'node:crypto';
import { isDuplicateKey } from '../lib/db.js';
import { Contact } from './contact.model.js';

/**
 * An in-memory index of the contacts' filter and sort fields, kept by every process that
 * lists or counts contacts.
 *
 * Why: FerretDB 1.x over SQLite pushes nothing down but a lone `_id` equality; any other
 * filter decodes every document (about 20 s for 100,000 contacts on this machine), and its
 * indexes only enforce uniqueness. So filters and sorts run here, on the Mongo filter built
 * by `contactQuery` (one rule, two evaluators), and a page is read back by `_id`.
 *
 * Private to the contact store (contact.store.ts), which calls `noteContactsChanged` with
 * every write. Coherence between processes: every contact write appends a numbered entry to
 * `contact_index_log` (`noteContactsChanged`); before answering, a process reads the entries
 * after the last one it applied (point lookups by `_id`) and re-reads those contacts. A
 * missing or different `epoch` (emptied database), or a gap in the log, triggers a full reload.
 */
type Entry = {
  id: string;
  sortName: string;
  email: string;
  firstName: string;
  lastName: string;
  createdAt: number;
  updatedAt: number;
  erasedAt: Date | null;
  searchTokens: string[];
  themes: string[];
  territoryScope: string[];
  organisationTypes: string[];
  organisations: string[];
  function: string | null;
  dispositifs: string[];
  /** The stored document as the API returns it (without `searchText`): a list page needs no database read. */
  doc: Record<string, unknown>;
};

const PROJECTION = { searchText: 0, __v: 0 };

// Many contacts share the same territory, theme and code strings: keep one copy of each.
const interned = new Map<string, string>();
const intern = (value: unknown) => {
  const s = String(value);
  let kept = interned.get(s);
  if (kept === undefined) interned.set(s, (kept = s));
  return kept;
};

function toEntry(doc: Record<string, any>): Entry {
  const { _id, searchTokens, ...rest } = doc;
  const entry: Omit<Entry, 'doc'> = {
    id: String(doc._id),
    sortName: doc.sortName ?? '',
    email: doc.email ?? '',
    firstName: doc.firstName ?? '',
    lastName: doc.lastName ?? '',
    createdAt: doc.createdAt ? new Date(doc.createdAt).getTime() : 0,
    updatedAt: doc.updatedAt ? new Date(doc.updatedAt).getTime() : 0,
    erasedAt: doc.erasedAt ?? null,
    searchTokens: doc.searchTokens ?? [],
    themes: (doc.themes ?? []).map(intern),
    territoryScope: (doc.territoryScope ?? []).map(intern),
    organisationTypes: (doc.organisationTypes ?? []).map(intern),
    organisations: (doc.organisations ?? []).map(intern),
    function: doc.function ? intern(doc.function) : null,
    dispositifs: (doc.dispositifs ?? []).map(intern),
  };
  // the API document shares the interned arrays (100,000 contacts: hundreds of MiB otherwise)
  const shared = { themes: entry.themes, territoryScope: entry.territoryScope, organisationTypes: entry.organisationTypes, organisations: entry.organisations, dispositifs: entry.dispositifs };
  return { ...entry, doc: { ...rest, id: entry.id, ...shared } };
}

type Index = {
  epoch: string;
  revision: number;
  loadedAt: number;
  entries: Map<string, Entry>;
  /** Every address of every contact (primary and others) → contact id. */
  byEmail: Map<string, string>;
  /** field → value → the contacts holding it: a filter starts from its most selective criterion. */
  postings: Map<string, Map<string, Set<Entry>>>;
  /** The distinct search tokens, sorted, for prefix lookups (rebuilt after a change). */
  tokens?: string[];
  sorted: Map<string, Entry[]>;
};

const POSTED = ['themes', 'territoryScope', 'organisationTypes', 'organisations', 'function', 'dispositifs', 'searchTokens'] as const;
const valuesOf = (entry: Entry, field: (typeof POSTED)[number]): readonly string[] =>
  field === 'function' ? (entry.function ? [entry.function] : []) : entry[field];

function post(postings: Index['postings'], entry: Entry, add: boolean): void {
  for (const field of POSTED) {
    let byValue = postings.get(field);
    if (!byValue) postings.set(field, (byValue = new Map()));
    for (const value of valuesOf(entry, field)) {
      let holders = byValue.get(value);
      if (add) {
        if (!holders) byValue.set(value, (holders = new Set()));
        holders.add(entry);
      } else if (holders) {
        holders.delete(entry);
        if (!holders.size) byValue.delete(value);
      }
    }
  }
}

const addressesOf = (entry: Entry) => [entry.email, ...((entry.doc.emails as string[] | undefined) ?? [])];

function setEntry(current: Pick<Index, 'entries' | 'byEmail' | 'postings'>, id: string, entry: Entry | undefined): void {
  const previous = current.entries.get(id);
  if (previous) for (const address of addressesOf(previous)) if (current.byEmail.get(address) === id) current.byEmail.delete(address);
  if (previous) post(current.postings, previous, false);
  if (entry) post(current.postings, entry, true);
  if (!entry) {
    current.entries.delete(id);
    return;
  }
  current.entries.set(id, entry);
  for (const address of addressesOf(entry)) current.byEmail.set(address, id);
}
let index: Index | undefined;
let syncing: Promise<Index> | undefined;


const state = () => mongoose.connection.db!.collection<{ _id: string; epoch: string; hint: number }>('contact_index_state');
const log = () => mongoose.connection.db!.collection<{ _id: string; ids: string[]; at: Date }>('contact_index_log');

async function readState(): Promise<{ epoch: string; hint: number }> {
  const found = await state().findOne({ _id: 'state' });
  if (found) return found;
  try {
    await state().insertOne({ _id: 'state', epoch: randomUUID(), hint: 0 });
  } catch {
    /* another process created it first */
  }
  return (await state().findOne({ _id: 'state' }))!;
}

/** Tells every process that these contacts changed (created, updated, deleted): the contact store calls it with each write. */
export async function noteContactsChanged(ids: ReadonlyArray<Types.ObjectId | string>): Promise<void> {
  if (!ids.length) return;
  const { epoch, hint } = await readState();
  // The entry's unique _id is the claim: on a clash another writer took that number, try the next.
  for (let revision = hint + 1; ; revision++) {
    try {
      await log().insertOne({ _id: `${epoch}:${revision}`, ids: ids.map(String), at: new Date() });
      await state().updateOne({ _id: 'state' }, { $max: { hint: revision } });
      return;
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
  }
}

/** An index of these stored contacts, at the log revision they were read from. */
async function buildIndex(epoch: string, revision: number, docs: Iterable<Record<string, any>> | AsyncIterable<Record<string, any>>): Promise<Index> {
  const loaded = { entries: new Map<string, Entry>(), byEmail: new Map<string, string>(), postings: new Map() };
  for await (const doc of docs) setEntry(loaded, String(doc._id), toEntry(doc));
  return { epoch, revision, loadedAt: Date.now(), ...loaded, sorted: new Map() };
}

async function fullLoad(epoch: string, hint: number): Promise<Index> {
  return buildIndex(epoch, hint, Contact.find({}, PROJECTION).lean().cursor({ batchSize: 2000 }));
}

/** Past this many changed contacts, reading them all is faster than looking each one up. */
const CATCH_UP_LIMIT = 20_000;
/** Changed contacts are re-read by `_id` in groups this size (FerretDB answers `_id: {$in}` from its index). */
const CATCH_UP_CHUNK = 1000;

/** The contacts noted as changed after `revision`, and the last revision read. */
async function changesAfter(epoch: string, revision: number): Promise<{ changed: Set<string>; revision: number }> {
  const changed = new Set<string>();
  for (;;) {
    const entry = await log().findOne({ _id: `${epoch}:${revision + 1}` });
    if (!entry) return { changed, revision };
    for (const id of entry.ids) changed.add(id);
    revision++;
  }
}

async function catchUp(current: Index): Promise<Index> {
  const { changed, revision } = await changesAfter(current.epoch, current.revision);
  current.revision = revision;
  if (!changed.size) return current;
  if (changed.size > CATCH_UP_LIMIT) return fullLoadAndStore(current.epoch, current.revision);
  const ids = [...changed];
  for (let i = 0; i < ids.length; i += CATCH_UP_CHUNK) {
    const chunk = ids.slice(i, i + CATCH_UP_CHUNK);
    const docs = new Map((await Contact.find({ _id: { $in: chunk } }, PROJECTION).lean()).map((doc) => [String(doc._id), doc]));
    for (const id of chunk) {
      const doc = docs.get(id);
      setEntry(current, id, doc ? toEntry(doc) : undefined);
    }
  }
  current.sorted.clear();
  current.tokens = undefined;
  return current;
}

// ---- the stored copy -------------------------------------------------------------------

/**
 * A copy of the index kept in the database, in chunks of a few thousand contacts, so that a
 * new process (the report CLI, a restarted app) reads a few large documents instead of
 * decoding every contact (FerretDB/SQLite decodes about 5,000 a second). Written after each
 * full load, with the revision that load started from; whoever loads it catches up from
 * there through the log, which re-reads the contacts changed since.
 */
type Manifest = { _id: 'manifest'; epoch: string; revision: number; key: string; chunks: number };
export const CONTACT_INDEX_SNAPSHOTS = 'contact_index_snapshots';
const snapshots = () => mongoose.connection.db!.collection<Manifest | { _id: string; docs: Binary }>(CONTACT_INDEX_SNAPSHOTS);
const SNAPSHOT_CHUNK = 2000;

const storedDoc = (entry: Entry) => {
  const { id, ...doc } = entry.doc;
  return { ...doc, _id: id, searchTokens: entry.searchTokens };
};

async function saveSnapshot(loaded: Index): Promise<void> {
  const { epoch, revision } = loaded;
  const docs = [...loaded.entries.values()].map(storedDoc);
  const key = randomUUID();
  const ids: string[] = [];
  for (let i = 0; i < docs.length; i += SNAPSHOT_CHUNK) {
    ids.push(`${key}:${ids.length}`);
    await snapshots().insertOne({ _id: ids.at(-1)!, docs: new Binary(BSON.serialize({ docs: docs.slice(i, i + SNAPSHOT_CHUNK) })) });
  }
  await snapshots().replaceOne({ _id: 'manifest' }, { epoch, revision, key, chunks: ids.length }, { upsert: true });
  await snapshots().deleteMany({ _id: { $nin: ['manifest', ...ids] } });
}

async function loadSnapshot(epoch: string): Promise<Index | undefined> {
  const manifest = (await snapshots().findOne({ _id: 'manifest' })) as Manifest | null;
  if (manifest?.epoch !== epoch) return undefined;
  const chunks = await Promise.all(Array.from({ length: manifest.chunks }, (_, k) => snapshots().findOne({ _id: `${manifest.key}:${k}` })));
  if (chunks.some((chunk) => !chunk)) return undefined; // replaced meanwhile: read the contacts instead
  const docs = (chunks as { docs: Binary }[]).flatMap((chunk) => BSON.deserialize(chunk.docs.buffer).docs as Record<string, unknown>[]);
  return buildIndex(epoch, manifest.revision, docs);
}

/** Reads every contact, then stores the result for the next process (in the background). */
async function fullLoadAndStore(epoch: string, hint: number): Promise<Index> {
  const loaded = await fullLoad(epoch, hint);
  saveSnapshot(loaded).catch(() => undefined); // a missing copy only costs the next process a full read
  return loaded;
}

/** Forgets the loaded index, as a restarted process would (tests). */
export function forgetContactIndex(): void {
  index = undefined;
}

async function sync(): Promise<Index> {
  const { epoch, hint } = await readState();
  if (!index || index.epoch !== epoch) index = (await loadSnapshot(epoch)) ?? (await fullLoadAndStore(epoch, hint));
  const current = index;
  let caughtUp = await catchUp(current);
  // The log says it went further than the entries found: some are missing (a gap), so what
  // changed in between is unknown. Only then is everything read again.
  if (caughtUp.revision < hint) caughtUp = await fullLoadAndStore(epoch, hint);
  if (caughtUp !== current) index = caughtUp; // reloaded: a gap, or past CATCH_UP_LIMIT changes
  return caughtUp;
}

/** The up-to-date index (one sync at a time; concurrent callers share it). */
export async function contactIndex(): Promise<Index> {
  syncing ??= sync().finally(() => (syncing = undefined));
  return syncing;
}

/** Loads the index ahead of the first request (the first full load takes seconds at 100,000 contacts). */
export function warmContactIndex(): void {
  contactIndex().catch(() => undefined);
}

// ---- evaluating the Mongo filter of contactQuery ------------------------------------------

type Where = Record<string, unknown>;

type Test = (entry: Entry) => boolean;

function reader(field: string): (entry: Entry) => unknown {
  if (field === '_id') return (entry) => entry.id;
  if (!FIELDS.has(field)) throw new Error(`contact index: unknown field ${field}`);
  return (entry) => entry[field as keyof Entry];
}
const FIELDS = new Set(['sortName', 'email', 'firstName', 'lastName', 'erasedAt', 'searchTokens', 'themes', 'territoryScope', 'organisationTypes', 'organisations', 'function', 'dispositifs']);

/** "Some value of the field (an array or a scalar) passes `test`", as Mongo reads arrays. */
function anyValue(read: (entry: Entry) => unknown, test: (value: unknown) => boolean): Test {
  return (entry) => {
    const value = read(entry);
    if (!Array.isArray(value)) return test(value);
    for (const v of value) if (test(v)) return true;
    return false;
  };
}

function compileCondition(field: string, condition: unknown): Test {
  const read = reader(field);
  if (condition === null) return (entry) => read(entry) === null || read(entry) === undefined;
  if (condition instanceof Types.ObjectId || typeof condition !== 'object') {
    const wanted = String(condition);
    return anyValue(read, (v) => String(v) === wanted);
  }
  const tests = Object.entries(condition as Record<string, unknown>).map(([op, arg]): Test => {
    switch (op) {
      case '$in': {
        const wanted = new Set((arg as unknown[]).map(String));
        return anyValue(read, (v) => wanted.has(v as string));
      }
      case '$regex': {
        const re = arg instanceof RegExp ? arg : new RegExp(String(arg));
        return anyValue(read, (v) => typeof v === 'string' && re.test(v));
      }
      case '$ne': {
        const equal = compileCondition(field, arg);
        return (entry) => !equal(entry);
      }
      default:
        throw new Error(`contact index: unsupported operator ${op}`);
    }
  });
  return tests.length === 1 ? tests[0] : (entry) => tests.every((t) => t(entry));
}

/**
 * The Mongo filter emitted by contactQuery as a function, compiled once per query: the
 * index holds strings (ids included), so `$in` lists become sets of strings.
 */
export function compileWhere(where: Where): Test {
  const tests = Object.entries(where).map(([key, condition]): Test => {
    switch (key) {
      case '$and': {
        const all = (condition as Where[]).map(compileWhere);
        return (entry) => all.every((t) => t(entry));
      }
      case '$or': {
        const any = (condition as Where[]).map(compileWhere);
        return (entry) => any.some((t) => t(entry));
      }
      case '$nor': {
        const any = (condition as Where[]).map(compileWhere);
        return (entry) => !any.some((t) => t(entry));
      }
      default:
        return compileCondition(key, condition);
    }
  });
  return tests.length === 1 ? tests[0] : (entry) => tests.every((t) => t(entry));
}

const SORT_FIELDS = ['sortName', 'email', 'firstName', 'lastName', 'createdAt', 'updatedAt', '_id'] as const;

function compareBy(field: string): (a: Entry, b: Entry) => number {
  const key = (e: Entry) => (field === '_id' ? e.id : (e[field as keyof Entry] as string | number));
  return (a, b) => {
    const [x, y] = [key(a), key(b)];
    return x < y ? -1 : x > y ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  };
}

function sortedBy(current: Index, field: string): Entry[] {
  let sorted = current.sorted.get(field);
  if (!sorted) {
    sorted = [...current.entries.values()].sort(compareBy(field));
    current.sorted.set(field, sorted);
  }
  return sorted;
}

/** Posting sets whose union is the pool (not copied until chosen: most criteria are not). */
type Pool = { sets: Set<Entry>[]; size: number };
const pool = (sets: Array<Set<Entry> | undefined>): Pool => {
  const present = sets.filter((set): set is Set<Entry> => Boolean(set));
  return { sets: present, size: present.reduce((sum, set) => sum + set.size, 0) };
};
function materialise({ sets }: Pool): Iterable<Entry> {
  if (sets.length === 1) return sets[0];
  const all = new Set<Entry>();
  for (const set of sets) for (const entry of set) all.add(entry);
  return all;
}

/** The distinct tokens starting with `prefix` (binary search in the sorted token list). */
function tokensWithPrefix(current: Index, prefix: string): string[] {
  current.tokens ??= [...(current.postings.get('searchTokens')?.keys() ?? [])].sort();
  const tokens = current.tokens;
  let lo = 0;
  let hi = tokens.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (tokens[mid] < prefix) lo = mid + 1;
    else hi = mid;
  }
  const found: string[] = [];
  for (let i = lo; i < tokens.length && tokens[i].startsWith(prefix); i++) found.push(tokens[i]);
  return found;
}

/**
 * The contacts that can match: the smallest posting set among the top-level criteria of the
 * filter (`field: {$in}` on a posted field, or a search word `^prefix`). Undefined when no
 * criterion is selective: then every contact is tested.
 */
function candidates(current: Index, where: Where): Iterable<Entry> | undefined {
  const parts = (where.$and as Where[] | undefined) ?? [where];
  let best: Pool | undefined;
  for (const part of parts) {
    const keys = Object.keys(part);
    if (keys.length !== 1 || !(POSTED as readonly string[]).includes(keys[0])) continue;
    const field = keys[0];
    const condition = part[field] as Record<string, unknown>;
    if (!condition || typeof condition !== 'object' || condition instanceof Types.ObjectId || Object.keys(condition).length !== 1) continue;
    const byValue = current.postings.get(field);
    let found: Pool | undefined;
    if (Array.isArray(condition.$in)) {
      found = pool(condition.$in.map((value) => byValue?.get(String(value))));
    } else if (field === 'searchTokens' && typeof condition.$regex === 'string' && /^\^(?:[a-z0-9@]|\\\.)+$/.test(condition.$regex)) {
      const tokens = tokensWithPrefix(current, condition.$regex.slice(1).replace(/\\\./g, '.'));
      if (tokens.length <= 2000) found = pool(tokens.map((token) => byValue?.get(token)));
    }
    if (found && (!best || found.size < best.size)) best = found;
  }
  return best && materialise(best);
}

/** The ids of one page of matching contacts, in order, and the total. */
export async function queryContactIndex(
  where: Where,
  options: { sort: { field: string; order: 1 | -1 }; skip: number; limit: number },
): Promise<{ ids: string[]; docs: Record<string, unknown>[]; total: number }> {
  const current = await contactIndex();
  if (!SORT_FIELDS.includes(options.sort.field as (typeof SORT_FIELDS)[number])) throw new Error(`contact index: cannot sort on ${options.sort.field}`);
  const matches = compileWhere(where);
  const pooled = candidates(current, where);
  if (pooled) {
    const found = [...pooled].filter(matches).sort(compareBy(options.sort.field));
    if (options.sort.order === -1) found.reverse();
    const page = found.slice(options.skip, options.skip + options.limit);
    return { ids: page.map((e) => e.id), docs: page.map((e) => e.doc), total: found.length };
  }
  const sorted = sortedBy(current, options.sort.field);
  const page: Entry[] = [];
  let total = 0;
  const from = options.sort.order === 1 ? 0 : sorted.length - 1;
  const step = options.sort.order;
  for (let i = from; i >= 0 && i < sorted.length; i += step) {
    if (!matches(sorted[i])) continue;
    if (total >= options.skip && page.length < options.limit) page.push(sorted[i]);
    total++;
  }
  return { ids: page.map((e) => e.id), docs: page.map((e) => e.doc), total };
}

export async function countContactIndex(where: Where): Promise<number> {
  const current = await contactIndex();
  const matches = compileWhere(where);
  let total = 0;
  for (const entry of candidates(current, where) ?? current.entries.values()) if (matches(entry)) total++;
  return total;
}

/** The id of the contact holding this (normalised) address, primary or other. */
export async function contactIdByEmail(address: string): Promise<string | undefined> {
  return (await contactIndex()).byEmail.get(address);
}

/**
 * A view of the base for a long batch job (an import): every address → contact id as of now
 * (a copy the job may extend), and the stored document of any contact nobody has changed
 * since, read from memory. A contact noted as changed since (by anyone, the job included)
 * has no document here: the job reads it from the database.
 */
export async function contactsView() {
  const start = await contactIndex();
  const { epoch } = start;
  let revision = start.revision;
  const changed = new Set<string>();
  return {
    byEmail: new Map(start.byEmail),
    /** Reads the log written since the last look. */
    async refresh(): Promise<void> {
      const since = await changesAfter(epoch, revision);
      for (const id of since.changed) changed.add(id);
      revision = since.revision;
    },
    /** The document of a contact unchanged since the view was taken (as the API returns it). */
    unchanged(id: string): Record<string, unknown> | undefined {
      if (changed.has(id)) return undefined;
      return (index?.epoch === epoch ? index : start).entries.get(id)?.doc;
    },
  };
}
export type ContactsView = Awaited<ReturnType<typeof contactsView>>;

/** The ids of every contact matching a Mongo filter (any order). */
export async function contactIdsWhere(where: Where): Promise<string[]> {
  const current = await contactIndex();
  const matches = compileWhere(where);
  return [...current.entries.values()].filter(matches).map((entry) => entry.id);
}

/** Name and organisations of every contact not erased, for the duplicates view. */
export async function contactNames(): Promise<Array<{ id: string; firstName: string; lastName: string; email: string; sortName: string; organisations: string[] }>> {
  const current = await contactIndex();
  return [...current.entries.values()]
    .filter((e) => !e.erasedAt)
    .map((e) => ({ id: e.id, firstName: e.firstName, lastName: e.lastName, email: e.email, sortName: e.sortName, organisations: e.organisations }));
}

export type MailingFields = Pick<Entry, 'id' | 'email' | 'firstName' | 'lastName' | 'sortName' | 'organisations' | 'erasedAt'>;

/** What a mailing needs of every contact matching a Mongo filter (`{}`: every contact, erased ones included). */
export async function mailingFieldsWhere(where: Where): Promise<MailingFields[]> {
  const current = await contactIndex();
  const matches = compileWhere(where);
  const found: MailingFields[] = [];
  for (const entry of candidates(current, where) ?? current.entries.values()) if (matches(entry)) found.push(entry);
  return found;
}
