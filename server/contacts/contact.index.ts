import { Binary } from 'mongodb';
import { Types } from 'mongoose';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { deflateRaw, inflateRaw } from 'node:zlib';
import { isDuplicateKey, rawCollection } from '../lib/db.js';

/**
 * An in-memory index of what filtering and sorting contacts need, kept by every process that
 * lists or counts contacts: each contact's filter and sort fields (not its document: a page's
 * documents are read by `_id`), and the subscription and membership facts of the `lists` and
 * `membership` criteria, so that no list or count scans `subscriptions` or `memberships`.
 *
 * Why: FerretDB 1.x over SQLite pushes nothing down but `_id` lookups; any other filter
 * decodes every document (about 20 s for 100,000 contacts on this machine), and its indexes
 * only enforce uniqueness. So filters and sorts run here, on the Mongo filter built by
 * `contactQuery`, and a page is read back by `_id`.
 *
 * Private to the contact store (contact.store.ts), which notes every write of contacts,
 * subscriptions and memberships (`noteChanged`). Coherence between processes: each write
 * appends a numbered entry to `contact_index_log` naming what changed; before answering, a
 * process reads, in one lookup by `_id`, the log's state and the entries after the last one it
 * applied, and re-reads what they name by `_id`. A missing or different `epoch` (emptied
 * database), or a gap in the log, is the only cause of a full reload.
 */
type Entry = {
  id: string;
  /** Its place in the index's `bySlot`: its bit in a filter's bitset. */
  slot: number;
  sortName: string;
  email: string;
  emails: readonly string[];
  firstName: string;
  lastName: string;
  createdAt: number;
  updatedAt: number;
  erasedAt: Date | null;
  searchTokens: readonly string[];
  themes: readonly string[];
  territoryScope: readonly string[];
  organisationTypes: readonly string[];
  organisations: readonly string[];
  function: string | null;
  dispositifs: readonly string[];
};

/** What the index reads of a contact. */
const INDEXED = {
  sortName: 1,
  email: 1,
  emails: 1,
  firstName: 1,
  lastName: 1,
  createdAt: 1,
  updatedAt: 1,
  erasedAt: 1,
  searchTokens: 1,
  themes: 1,
  territoryScope: 1,
  organisationTypes: 1,
  organisations: 1,
  function: 1,
  dispositifs: 1,
} as const;

// Many contacts share the same territory, theme, code and word strings: keep one copy of each.
const interned = new Map<string, string>();
const intern = (value: unknown) => {
  const s = String(value);
  let kept = interned.get(s);
  if (kept === undefined) interned.set(s, (kept = s));
  return kept;
};
/** Most contacts have no other address, organisation or dispositif: they share one empty list. */
const NONE: readonly string[] = Object.freeze([]);
const interns = (values: unknown): readonly string[] => ((values as unknown[] | undefined)?.length ? (values as unknown[]).map(intern) : NONE);
// The contacts of one commune share one territory scope, those of one organisation one list of
// organisations, and so on: keep one copy of each list too (a list costs 100 bytes and more).
const internedLists = new Map<string, readonly string[]>();
const internList = (values: unknown): readonly string[] => {
  if (!(values as unknown[] | undefined)?.length) return NONE;
  const key = (values as unknown[]).join('\u0000');
  let kept = internedLists.get(key);
  if (kept === undefined) internedLists.set(key, (kept = Object.freeze((values as unknown[]).map(intern))));
  return kept;
};
const time = (value: unknown) => (value ? new Date(value as Date).getTime() : 0);

/** After a whole load: the contacts changed later are few, and the maps' own memory is not. */
const forgetInterned = () => {
  interned.clear();
  internedLists.clear();
};

function toEntry(doc: Record<string, any>): Entry {
  return {
    id: String(doc._id),
    slot: -1,
    sortName: doc.sortName ?? '',
    email: doc.email ?? '',
    emails: doc.emails?.length ? doc.emails : NONE,
    firstName: doc.firstName ?? '',
    lastName: doc.lastName ?? '',
    createdAt: time(doc.createdAt),
    updatedAt: time(doc.updatedAt),
    erasedAt: doc.erasedAt ? new Date(doc.erasedAt) : null,
    searchTokens: interns(doc.searchTokens),
    themes: internList(doc.themes),
    territoryScope: internList(doc.territoryScope),
    organisationTypes: internList(doc.organisationTypes),
    organisations: internList(doc.organisations),
    function: doc.function ? intern(doc.function) : null,
    dispositifs: internList(doc.dispositifs),
  };
}

/** A subscription as the `lists` criterion needs it. */
type SubscriptionFact = { contact: string; list: string; status: string };
/** A membership as the `membership` criterion needs it (member-state.ts). */
export type MembershipFact = { contact?: string; organisation?: string; representative?: string; year: number; paymentStatus: string; paidAt: Date | null };

const SUBSCRIPTION_FIELDS = { contact: 1, list: 1, status: 1 } as const;
const MEMBERSHIP_FIELDS = { contact: 1, organisation: 1, representative: 1, year: 1, paymentStatus: 1, paidAt: 1 } as const;

const toSubscription = (doc: Record<string, any>): SubscriptionFact => ({ contact: intern(doc.contact), list: intern(doc.list), status: intern(doc.status) });
const optional = (value: unknown) => (value ? String(value) : undefined);
const toMembership = (doc: Record<string, any>): MembershipFact => ({
  contact: optional(doc.contact),
  organisation: optional(doc.organisation),
  representative: optional(doc.representative),
  year: Number(doc.year),
  paymentStatus: String(doc.paymentStatus),
  paidAt: doc.paidAt ? new Date(doc.paidAt) : null,
});

type Index = {
  epoch: string;
  revision: number;
  /** Contacts re-read since the stored copy was last written. */
  sinceSnapshot: number;
  entries: Map<string, Entry>;
  /** Every address of every contact (primary and others) → contact id. */
  byEmail: Map<string, string>;
  /** field → value → the contacts holding it: a criterion's bitset is made from them. */
  postings: Map<string, Map<string, Holders>>;
  /** Entries by slot (a removed contact leaves a hole, reused by the next new one). */
  bySlot: Array<Entry | undefined>;
  freeSlots: number[];
  /** Bitsets kept between queries (every contact, the non-erased), dropped when contacts change. */
  bitsOf: Map<unknown, Uint32Array>;
  /** The distinct search tokens, sorted, for prefix lookups (rebuilt after a change). */
  tokens?: string[];
  sorted: Map<string, Entry[]>;
  subscriptions: Map<string, SubscriptionFact>;
  /** `list status` → the contacts with a subscription to that list in that state. */
  subscribers: Map<string, Set<string>>;
  memberships: Map<string, MembershipFact>;
  /** Derived id lists (a list's subscribers), dropped when the facts change. */
  derived: Map<string, Types.ObjectId[]>;
  /** The bitsets of `_id: {$in}` id lists met before (a list's subscribers), dropped when contacts change. */
  bitsOfIds: WeakMap<readonly unknown[], Uint32Array>;
  /** Whether any of `sorted`, `tokens`, `bitsOf`, `bitsOfIds` holds something computed from the entries. */
  derivedFromEntries: boolean;
};

/** A new index, to be filled with every contact: the store's caches of contacts are dropped. */
function emptyIndex(epoch: string, revision: number): Index {
  contactReader().reread('all');
  return {
    epoch,
    revision,
    sinceSnapshot: 0,
    entries: new Map(),
    byEmail: new Map(),
    postings: new Map(POSTED_AT_LOAD.map((field) => [field, new Map()])),
    bySlot: [],
    freeSlots: [],
    bitsOf: new Map(),
    sorted: new Map(),
    subscriptions: new Map(),
    subscribers: new Map(),
    memberships: new Map(),
    derived: new Map(),
    bitsOfIds: new WeakMap(),
    derivedFromEntries: false,
  };
}

const POSTED = ['themes', 'territoryScope', 'organisationTypes', 'organisations', 'function', 'dispositifs', 'searchTokens'] as const;
const POSTED_AT_LOAD = POSTED.filter((field) => field !== 'searchTokens');
const valuesOf = (entry: Entry, field: (typeof POSTED)[number]): readonly string[] =>
  field === 'function' ? (entry.function ? [entry.function] : []) : entry[field];

// Arrays, not sets (a third of the memory), and a lone contact without one. Removal scans the
// array, but only on a change, and each value is posted once per contact.
function post(postings: Index['postings'], entry: Entry, add: boolean): void {
  for (const field of POSTED) {
    const byValue = postings.get(field);
    if (!byValue) continue; // search words not posted yet (postingsOf)
    for (const value of valuesOf(entry, field)) {
      if (add) addPosting(byValue, value, entry);
      else removePosting(byValue, value, entry);
    }
  }
}

/** The contacts holding a value: most search words belong to one contact, kept without an array. */
type Holders = Entry | Entry[];

function addPosting(byValue: Map<string, Holders>, value: string, entry: Entry): void {
  const holders = byValue.get(value);
  if (holders === undefined) byValue.set(value, entry);
  else if (!Array.isArray(holders)) {
    if (holders !== entry) byValue.set(value, [holders, entry]); // else a value twice in one contact
  } else if (holders[holders.length - 1] !== entry) holders.push(entry);
}

function removePosting(byValue: Map<string, Holders>, value: string, entry: Entry): void {
  const holders = byValue.get(value);
  if (holders === entry) byValue.delete(value);
  if (!Array.isArray(holders)) return;
  const at = holders.indexOf(entry);
  if (at >= 0) holders.splice(at, 1);
  if (!holders.length) byValue.delete(value);
}

const addressesOf = (entry: Entry) => [entry.email, ...entry.emails];

/** Drops what was computed from the entries (a query between two changes must not mix both states). */
function forgetDerivedFromEntries(current: Index): void {
  current.derivedFromEntries = false;
  current.sorted.clear();
  current.bitsOf.clear();
  current.bitsOfIds = new WeakMap();
  current.tokens = undefined;
}

/** `posting: false` leaves the postings to a rebuild (`repost`), for many changes at once. */
function setEntry(current: Index, id: string, entry: Entry | undefined, posting = true): void {
  if (current.derivedFromEntries) forgetDerivedFromEntries(current);
  const previous = current.entries.get(id);
  if (previous) for (const address of addressesOf(previous)) if (current.byEmail.get(address) === id) current.byEmail.delete(address);
  if (previous && posting) post(current.postings, previous, false);
  if (entry && posting) post(current.postings, entry, true);
  if (!entry) {
    if (previous) {
      current.bySlot[previous.slot] = undefined;
      current.freeSlots.push(previous.slot);
    }
    current.entries.delete(id);
    return;
  }
  entry.slot = previous ? previous.slot : (current.freeSlots.pop() ?? current.bySlot.length);
  current.bySlot[entry.slot] = entry;
  current.entries.set(id, entry);
  for (const address of addressesOf(entry)) current.byEmail.set(address, id);
}

/**
 * The postings rebuilt, field by field (twice as fast as `post` for each contact at 100,000).
 * Search words, most of the postings, wait for the first search: a new process answers its
 * first pages sooner.
 */
function repost(current: Index): void {
  current.postings = new Map();
  for (const field of POSTED_AT_LOAD) postField(current, field);
}

function postField(current: Index, field: (typeof POSTED)[number]): Map<string, Holders> {
  const byValue = new Map<string, Holders>();
  current.postings.set(field, byValue);
  for (const entry of current.entries.values()) {
    const values = valuesOf(entry, field);
    for (let i = 0; i < values.length; i++) addPosting(byValue, values[i], entry);
  }
  return byValue;
}

const postingsOf = (current: Index, field: (typeof POSTED)[number]) => current.postings.get(field) ?? postField(current, field);

const subscriberKey = (list: string, status: string) => `${list} ${status}`;

function setSubscription(current: Index, id: string, fact: SubscriptionFact | undefined): void {
  const previous = current.subscriptions.get(id);
  if (previous) current.subscribers.get(subscriberKey(previous.list, previous.status))?.delete(previous.contact);
  if (!fact) {
    current.subscriptions.delete(id);
    return;
  }
  current.subscriptions.set(id, fact);
  const key = subscriberKey(fact.list, fact.status);
  let holders = current.subscribers.get(key);
  if (!holders) current.subscribers.set(key, (holders = new Set()));
  holders.add(fact.contact);
}

function setMembership(current: Index, id: string, fact: MembershipFact | undefined): void {
  if (fact) current.memberships.set(id, fact);
  else current.memberships.delete(id);
}

let index: Index | undefined;

// ---- the log ------------------------------------------------------------------------------

/** An entry names what one write changed; `ids` are contacts. */
type LogEntry = { _id: string; ids?: string[]; subscriptions?: string[]; memberships?: string[]; at: Date };
type LogState = { _id: 'state'; epoch: string; hint: number };
const log = () => rawCollection<LogEntry | LogState>('contact_index_log');

async function readState(): Promise<LogState> {
  const found = (await log().findOne({ _id: 'state' })) as LogState | null;
  if (found) return found;
  try {
    await log().insertOne({ _id: 'state', epoch: randomUUID(), hint: 0 });
  } catch {
    /* another process created it first */
  }
  return (await log().findOne({ _id: 'state' })) as LogState;
}

type Id = Types.ObjectId | string;
export type Changes = { contacts?: readonly Id[]; subscriptions?: readonly Id[]; memberships?: readonly Id[] };

/** Tells every process that these contacts, subscriptions or memberships changed (created, updated, deleted). */
export async function noteChanged(changes: Changes): Promise<void> {
  const named = {
    ...(changes.contacts?.length ? { ids: changes.contacts.map(String) } : {}),
    ...(changes.subscriptions?.length ? { subscriptions: changes.subscriptions.map(String) } : {}),
    ...(changes.memberships?.length ? { memberships: changes.memberships.map(String) } : {}),
  };
  if (!Object.keys(named).length) return;
  const { epoch, hint } = await readState();
  // The entry's unique _id is the claim: on a clash another writer took that number, try the next.
  for (let revision = hint + 1; ; revision++) {
    try {
      await log().insertOne({ _id: `${epoch}:${revision}`, ...named, at: new Date() });
      await log().updateOne({ _id: 'state' }, { $max: { hint: revision } });
      notedAt = performance.now();
      return;
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
  }
}

export const noteContactsChanged = (ids: readonly Id[]) => noteChanged({ contacts: ids });

/** Log entries read per lookup. */
const LOOKAHEAD = 16;
const revisions = (epoch: string, from: number, count: number) => Array.from({ length: count }, (_, k) => `${epoch}:${from + k}`);

type Pending = { contacts: Set<string>; subscriptions: Set<string>; memberships: Set<string>; revision: number };

/** Adds the consecutive entries after `pending.revision` among `found`; whether all `wanted` were there. */
function collect(pending: Pending, epoch: string, found: Map<string, LogEntry>): boolean {
  for (;;) {
    const entry = found.get(`${epoch}:${pending.revision + 1}`);
    if (!entry) return false;
    for (const id of entry.ids ?? []) pending.contacts.add(id);
    for (const id of entry.subscriptions ?? []) pending.subscriptions.add(id);
    for (const id of entry.memberships ?? []) pending.memberships.add(id);
    pending.revision++;
  }
}

/**
 * What was noted after `revision`, and the log's state, read together (one lookup by `_id`
 * when nothing changed, the case of almost every request).
 */
async function changesAfter(epoch: string, revision: number): Promise<{ pending: Pending; state: LogState | undefined }> {
  const pending: Pending = { contacts: new Set(), subscriptions: new Set(), memberships: new Set(), revision };
  let state: LogState | undefined;
  for (let first = true; ; first = false) {
    const wanted = revisions(epoch, pending.revision + 1, LOOKAHEAD);
    const rows = await log().find({ _id: { $in: first ? ['state', ...wanted] : wanted } }).toArray();
    if (first) state = rows.find((row): row is LogState => row._id === 'state');
    const found = new Map(rows.filter((row) => row._id !== 'state').map((row) => [row._id, row as LogEntry]));
    const before = pending.revision;
    collect(pending, epoch, found);
    if (pending.revision - before < LOOKAHEAD) return { pending, state };
  }
}

/**
 * Where the log is now: the `_id` of its last entry (`<epoch>:<revision>`, the revision a lower
 * bound). What is noted after it is what changed since: `subscriptionsNotedAfter`.
 */
export async function logPosition(): Promise<string> {
  const { epoch, hint } = await readState();
  return `${epoch}:${hint}`;
}

/**
 * The subscriptions noted as changed (created, updated, deleted) after a log position, and
 * the position after them; undefined when the log cannot tell (another epoch, a gap).
 * A few lookups by `_id`, where a query on the subscriptions reads every one of them.
 */
export async function subscriptionsNotedAfter(position: string): Promise<{ ids: string[]; position: string } | undefined> {
  const at = position.lastIndexOf(':');
  const [epoch, revision] = [position.slice(0, at), Number(position.slice(at + 1))];
  const { pending, state } = await changesAfter(epoch, revision);
  if (!state || state.epoch !== epoch || state.hint > pending.revision) return undefined;
  return { ids: [...pending.subscriptions], position: `${epoch}:${pending.revision}` };
}

/** Past this many changed contacts, reading them all is faster than looking each one up. */
const CATCH_UP_LIMIT = 20_000;
/** Changed documents are re-read by `_id` in groups this size (FerretDB answers `_id: {$in}` from its index). */
const CATCH_UP_CHUNK = 1000;
/** After this many contacts re-read, the stored copy is written again (a new process catches up less). */
const SNAPSHOT_AFTER = 5000;

/**
 * How the index reads contacts: given by the store (contact.store.ts), the one owner of the
 * collection, when it loads (the store imports this file, so this file cannot import it).
 */
type ContactReader = {
  byIds(ids: unknown[], projection: object): Promise<Record<string, any>[]>;
  all(projection: object): AsyncIterable<Record<string, any>>;
  /** Told which contacts the index re-read (`all`: it reloaded), so the store's caches follow. */
  reread(ids: readonly string[] | 'all'): void;
};
let contacts: ContactReader | undefined;
export function readContactsThrough(reader: ContactReader): void {
  contacts = reader;
}
const contactReader = () => contacts ?? (() => { throw new Error('contact index: the contact store is not loaded'); })();

const readRaw = (collection: string) => (ids: unknown[], projection: object) => rawCollection(collection).find({ _id: { $in: ids } } as never, { projection }).toArray();

async function reread(read: (ids: unknown[], projection: object) => Promise<Record<string, any>[]>, projection: object, ids: readonly string[], set: (id: string, doc: Record<string, any> | undefined) => void): Promise<void> {
  for (let i = 0; i < ids.length; i += CATCH_UP_CHUNK) {
    const chunk = ids.slice(i, i + CATCH_UP_CHUNK);
    const rows = await read(chunk.map((id) => (Types.ObjectId.isValid(id) ? new Types.ObjectId(id) : id)), projection);
    const docs = new Map(rows.map((doc) => [String(doc._id), doc]));
    for (const id of chunk) set(id, docs.get(id));
  }
}

/** Past this many changed contacts, the postings are rebuilt rather than edited one by one. */
const REPOST_AFTER = 500;

async function apply(current: Index, pending: Pending): Promise<void> {
  const posting = pending.contacts.size <= REPOST_AFTER;
  try {
    await reread((ids, projection) => contactReader().byIds(ids, projection), INDEXED, [...pending.contacts], (id, doc) => setEntry(current, id, doc && toEntry(doc), posting));
  } finally {
    if (!posting) repost(current);
  }
  await reread(readRaw('subscriptions'), SUBSCRIPTION_FIELDS, [...pending.subscriptions], (id, doc) => setSubscription(current, id, doc && toSubscription(doc)));
  await reread(readRaw('memberships'), MEMBERSHIP_FIELDS, [...pending.memberships], (id, doc) => setMembership(current, id, doc && toMembership(doc)));
  current.revision = pending.revision;
  if (pending.contacts.size) {
    contactReader().reread([...pending.contacts]);
    forgetDerivedFromEntries(current);
    current.sinceSnapshot += pending.contacts.size;
  }
  if (pending.subscriptions.size) current.derived.clear();
}

/** Reads every contact, subscription and membership. */
async function fullLoad(epoch: string, hint: number): Promise<Index> {
  const loaded = emptyIndex(epoch, hint);
  for await (const doc of contactReader().all(INDEXED)) setEntry(loaded, String(doc._id), toEntry(doc));
  for await (const doc of rawCollection('subscriptions').find({}, { projection: SUBSCRIPTION_FIELDS, batchSize: 5000 })) setSubscription(loaded, String(doc._id), toSubscription(doc));
  for await (const doc of rawCollection('memberships').find({}, { projection: MEMBERSHIP_FIELDS })) setMembership(loaded, String(doc._id), toMembership(doc));
  forgetInterned();
  return loaded;
}

// ---- the stored copy -------------------------------------------------------------------

/**
 * A copy of the index kept in the database, as deflated JSON in a few large documents, so that
 * a new process (the report CLI, a restarted app) reads a few megabytes instead of decoding
 * every contact (FerretDB/SQLite decodes about 5,000 a second). Written after a full load and
 * after every SNAPSHOT_AFTER contacts re-read, with the revision it is current at; whoever
 * loads it catches up from there through the log. A copy of another `format` is ignored.
 */
type Manifest = { _id: 'manifest'; epoch: string; revision: number; key: string; chunks: number; format?: number };
const SNAPSHOT_FORMAT = 3;
export const CONTACT_INDEX_SNAPSHOTS = 'contact_index_snapshots';
const snapshots = () => rawCollection<Manifest | { _id: string; data: Binary }>(CONTACT_INDEX_SNAPSHOTS);
/** Contacts (or subscriptions) per stored document: each is parsed on its own, so a load never holds the whole copy twice. */
const SNAPSHOT_CHUNK = 5000;

/**
 * A contact as stored: the strings many contacts share (names, words, codes, ids of themes,
 * territories and organisations) as numbers into the chunk's `words`, so each is parsed once,
 * and its lists of themes, territories, organisations… as numbers into the chunk's `lists`.
 */
type StoredContacts = { words: string[]; lists: number[][]; rows: unknown[][] };

function storedContacts(entries: readonly Entry[]): StoredContacts {
  const numbers = new Map<string, number>();
  const word = (value: string) => {
    let n = numbers.get(value);
    if (n === undefined) numbers.set(value, (n = numbers.size));
    return n;
  };
  const words = (values: readonly string[]) => values.map(word);
  // by identity: the entries of a loaded index share their lists (internList)
  const listNumbers = new Map<readonly string[], number>();
  const lists: number[][] = [];
  const list = (values: readonly string[]) => {
    let n = listNumbers.get(values);
    if (n === undefined) listNumbers.set(values, (n = lists.push(words(values)) - 1));
    return n;
  };
  const rows = entries.map((e) => [
    e.id, e.sortName, e.email, e.emails, word(e.firstName), word(e.lastName), e.createdAt, e.updatedAt, e.erasedAt?.getTime() ?? null,
    words(e.searchTokens), list(e.themes), list(e.territoryScope), list(e.organisationTypes), list(e.organisations),
    e.function === null ? null : word(e.function), list(e.dispositifs),
  ]); // prettier-ignore
  return { words: [...numbers.keys()], lists, rows };
}

function entriesFromStored({ words, lists: storedLists, rows }: StoredContacts): Entry[] {
  const wordsOf = (numbers: number[]) => (numbers.length ? numbers.map((n) => words[n]) : NONE);
  const lists = storedLists.map((numbers) => internList(wordsOf(numbers)));
  return (rows as any[][]).map((row) => ({
    id: row[0],
    slot: -1,
    sortName: row[1],
    email: row[2],
    emails: row[3].length ? row[3] : NONE,
    firstName: words[row[4]],
    lastName: words[row[5]],
    createdAt: row[6],
    updatedAt: row[7],
    erasedAt: row[8] === null ? null : new Date(row[8]),
    searchTokens: wordsOf(row[9]),
    themes: lists[row[10]],
    territoryScope: lists[row[11]],
    organisationTypes: lists[row[12]],
    organisations: lists[row[13]],
    function: row[14] === null ? null : words[row[14]],
    dispositifs: lists[row[15]],
  }));
}

type Chunk = { contacts?: StoredContacts; subscriptions?: string[][]; memberships?: Record<string, unknown>[] };

function* chunksOf(current: Index): Generator<Chunk> {
  const slices = <T>(values: T[]) => Array.from({ length: Math.ceil(values.length / SNAPSHOT_CHUNK) }, (_, k) => values.slice(k * SNAPSHOT_CHUNK, (k + 1) * SNAPSHOT_CHUNK));
  // by name, the list's default order: a loaded copy's first sort by name then finds it sorted
  for (const contacts of slices(sortedBy(current, 'sortName'))) yield { contacts: storedContacts(contacts) };
  for (const subscriptions of slices([...current.subscriptions])) yield { subscriptions: subscriptions.map(([id, s]) => [id, s.contact, s.list, s.status]) };
  yield { memberships: [...current.memberships].map(([id, m]) => ({ ...m, _id: id })) };
}

function loadChunk(loaded: Index, chunk: Chunk): void {
  for (const entry of chunk.contacts ? entriesFromStored(chunk.contacts) : []) setEntry(loaded, entry.id, entry, false);
  for (const [id, contact, list, status] of chunk.subscriptions ?? []) setSubscription(loaded, id, toSubscription({ contact, list, status }));
  for (const m of chunk.memberships ?? []) setMembership(loaded, String(m._id), toMembership(m));
}

const deflated = promisify(deflateRaw);
const inflated = promisify(inflateRaw);

let saving: Promise<void> | undefined;

/** Resolves once the stored copy being written, if any, is written (tests: a copy written meanwhile would replace theirs). */
export async function snapshotWritten(): Promise<void> {
  await saving?.catch(() => undefined);
}

function saveSnapshot(current: Index): Promise<void> {
  saving ??= writeSnapshot(current).finally(() => (saving = undefined));
  return saving;
}

async function writeSnapshot(current: Index): Promise<void> {
  const { epoch, revision } = current;
  current.sinceSnapshot = 0;
  const key = randomUUID();
  const ids: string[] = [];
  for (const chunk of chunksOf(current)) {
    ids.push(`${key}:${ids.length}`);
    await snapshots().insertOne({ _id: ids.at(-1)!, data: new Binary(await deflated(JSON.stringify(chunk), { level: 1 })) });
  }
  await snapshots().replaceOne({ _id: 'manifest' }, { epoch, revision, key, chunks: ids.length, format: SNAPSHOT_FORMAT }, { upsert: true });
  await snapshots().deleteMany({ _id: { $nin: ['manifest', ...ids] } });
}

async function loadSnapshot(epoch: string): Promise<Index | undefined> {
  const manifest = (await snapshots().findOne({ _id: 'manifest' })) as Manifest | null;
  if (manifest?.epoch !== epoch || manifest.format !== SNAPSHOT_FORMAT) return undefined;
  const loaded = emptyIndex(epoch, manifest.revision);
  const ids = Array.from({ length: manifest.chunks }, (_, k) => `${manifest.key}:${k}`);
  const read = async (from: number) => {
    const wanted = ids.slice(from, from + 4);
    const found = (await snapshots().find({ _id: { $in: wanted } }).toArray()) as Array<{ _id: string; data: Binary }>;
    found.sort((a, b) => wanted.indexOf(a._id) - wanted.indexOf(b._id));
    return found.length === wanted.length ? Promise.all(found.map((chunk) => inflated(chunk.data.buffer))) : undefined;
  };
  // a few at a time, the next ones read and inflated while these are parsed
  let next = read(0);
  for (let k = 0; k < ids.length; k += 4) {
    const texts = await next;
    if (!texts) return undefined; // replaced meanwhile: read the collections instead
    if (k + 4 < ids.length) next = read(k + 4);
    for (const text of texts) loadChunk(loaded, JSON.parse(text.toString()) as Chunk);
  }
  repost(loaded);
  forgetInterned();
  return loaded;
}

/** Stores a copy for the next process, in the background (a missing copy only costs it a full read). */
function storeInBackground(current: Index): void {
  saveSnapshot(current).catch(() => undefined);
}

async function fullLoadAndStore(epoch: string, hint: number): Promise<Index> {
  loads.count++;
  const loaded = await fullLoad(epoch, hint);
  storeInBackground(loaded);
  return loaded;
}

/** Forgets the loaded index, as a restarted process would (tests). */
export function forgetContactIndex(): void {
  index = undefined;
  last = undefined;
}

/** How many times this process read the whole index (the stored copy or every document): tests check catch-ups read neither. */
export const loads = { count: 0 };

async function load(): Promise<Index> {
  loads.count++;
  const { epoch, hint } = await readState();
  return (await loadSnapshot(epoch)) ?? (await fullLoadAndStore(epoch, hint));
}

async function sync(): Promise<Index> {
  index ??= await load();
  const current = index;
  const { pending, state } = await changesAfter(current.epoch, current.revision);
  if (state?.epoch !== current.epoch) {
    // an emptied database (or its state not created yet)
    const fresh = await catchUpFully(await load());
    index = fresh;
    return fresh;
  }
  if (pending.contacts.size > CATCH_UP_LIMIT) return (index = await fullLoadAndStore(state.epoch, state.hint));
  await apply(current, pending);
  if (current.revision < state.hint) {
    // The log says it went further than the entries found: look once more (an entry written
    // between the two reads), then it is a gap, and what changed in between is unknown.
    const again = await changesAfter(current.epoch, current.revision);
    await apply(current, again.pending);
    if (current.revision < state.hint) return (index = await fullLoadAndStore(state.epoch, state.hint));
  }
  if (current.sinceSnapshot > SNAPSHOT_AFTER) storeInBackground(current);
  return current;
}

/** A freshly loaded index brought up to the log's end. */
async function catchUpFully(fresh: Index): Promise<Index> {
  const { pending } = await changesAfter(fresh.epoch, fresh.revision);
  if (pending.contacts.size > CATCH_UP_LIMIT) return fullLoadAndStore(fresh.epoch, pending.revision);
  await apply(fresh, pending);
  return fresh;
}

/**
 * A sync that began this recently serves as this one, unless this process wrote since it
 * began: a request sees every write of its own process, and those of other processes noted
 * up to FRESH_MS before it (under load, most requests then make no lookup of their own).
 */
export const FRESH_MS = 25;
type Sync = { startedAt: number; done: boolean; promise: Promise<Index> };
let last: Sync | undefined;
/** When this process last finished noting a write. */
let notedAt = 0;

/** The up-to-date index (one sync at a time; concurrent callers share it). */
export async function contactIndex(): Promise<Index> {
  const now = performance.now();
  if (last && last.startedAt > notedAt && (!last.done || now - last.startedAt < FRESH_MS)) return last.promise;
  // after the running one, if any (it may have begun before this process's last write)
  const running = last && !last.done ? last.promise.catch(() => undefined) : undefined;
  const next: Sync = { startedAt: now, done: false, promise: undefined as never };
  next.promise = (running ? running.then(sync) : sync()).finally(() => (next.done = true));
  last = next;
  return next.promise;
}

/** Loads the index ahead of the first request (a full load takes seconds at 100,000 contacts); resolves when done or failed. */
export function warmContactIndex(): Promise<void> {
  return contactIndex().then(
    () => undefined,
    () => undefined,
  );
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

// A list's subscribers come as the same array until they change: its set of strings is made once.
const stringSets = new WeakMap<readonly unknown[], Set<string>>();
function stringSet(values: readonly unknown[]): Set<string> {
  let set = stringSets.get(values);
  if (!set) stringSets.set(values, (set = new Set(values.map(String))));
  return set;
}

/** The shapes contactQuery emits most, as direct tests (the hot loop of every list and count). */
function fastCondition(field: string, condition: unknown): Test | undefined {
  if (condition === null && field === 'erasedAt') return (entry) => entry.erasedAt === null;
  const ops = condition && typeof condition === 'object' && !(condition instanceof Types.ObjectId) ? Object.keys(condition) : [];
  if (ops.length !== 1 || ops[0] !== '$in') return undefined;
  const wanted = stringSet((condition as { $in: unknown[] }).$in);
  if (field === '_id') return (entry) => wanted.has(entry.id);
  if (field === 'function') return (entry) => entry.function !== null && wanted.has(entry.function);
  if (!(POSTED as readonly string[]).includes(field)) return undefined;
  const key = field as Exclude<(typeof POSTED)[number], 'function'>;
  return (entry) => {
    const values = entry[key];
    for (let i = 0; i < values.length; i++) if (wanted.has(values[i])) return true;
    return false;
  };
}

function compileCondition(field: string, condition: unknown): Test {
  const fast = fastCondition(field, condition);
  if (fast) return fast;
  const read = reader(field);
  if (condition === null) return (entry) => read(entry) === null || read(entry) === undefined;
  if (condition instanceof Types.ObjectId || typeof condition !== 'object') {
    const wanted = String(condition);
    return anyValue(read, (v) => String(v) === wanted);
  }
  const tests = Object.entries(condition as Record<string, unknown>).map(([op, arg]): Test => {
    switch (op) {
      case '$in': {
        const wanted = stringSet(arg as unknown[]);
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
        return (entry) => {
          for (let i = 0; i < all.length; i++) if (!all[i](entry)) return false;
          return true;
        };
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
  const key = field === '_id' ? 'id' : (field as keyof Entry);
  return (a, b) => {
    const x = a[key] as string | number;
    const y = b[key] as string | number;
    return x < y ? -1 : x > y ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  };
}

function sortedBy(current: Index, field: string): Entry[] {
  let sorted = current.sorted.get(field);
  if (!sorted) {
    sorted = [...current.entries.values()].sort(compareBy(field));
    current.sorted.set(field, sorted);
    current.derivedFromEntries = true;
  }
  return sorted;
}

// ---- bitsets: one bit per slot ------------------------------------------------------------

const wordsFor = (current: Index) => (current.bySlot.length + 31) >>> 5;
const emptyBits = (current: Index) => new Uint32Array(wordsFor(current));

/**
 * Bitsets lent to one evaluation, taken back by the next (evaluations are synchronous and never
 * overlap): a new 12.5 KB buffer for each criterion of each request cost 10 % more CPU per
 * request at 100,000 contacts (bench/contacts, paired runs).
 */
const lent: Uint32Array[] = [];
let lentCount = 0;
function borrowBits(current: Index): Uint32Array {
  const size = wordsFor(current);
  let bits = lent[lentCount];
  if (bits?.length !== size) lent[lentCount] = bits = new Uint32Array(size);
  else bits.fill(0);
  lentCount++;
  return bits;
}
const setBit = (bits: Uint32Array, slot: number) => (bits[slot >>> 5] |= 1 << (slot & 31));
const hasBit = (bits: Uint32Array, slot: number) => (bits[slot >>> 5] & (1 << (slot & 31))) !== 0;

function bitsOfEntries(current: Index, groups: Iterable<Holders | Iterable<Entry> | undefined>, bits = borrowBits(current)): Uint32Array {
  for (const group of groups) {
    if (group === undefined) continue;
    if ('slot' in group) setBit(bits, group.slot);
    else for (const entry of group) setBit(bits, entry.slot);
  }
  return bits;
}

/** A bitset kept until contacts change. */
function remembered(current: Index, key: unknown, make: () => Uint32Array): Uint32Array {
  let bits = current.bitsOf.get(key);
  if (!bits) current.bitsOf.set(key, (bits = make()));
  current.derivedFromEntries = true;
  return bits;
}

const everyContact = (current: Index) => remembered(current, 'every contact', () => bitsOfEntries(current, [current.entries.values()], emptyBits(current)));

/** The contacts of an `_id: {$in}` criterion (a list's subscribers come as the same array until they change). */
function bitsOfIds(current: Index, ids: readonly unknown[]): Uint32Array {
  let bits = current.bitsOfIds.get(ids);
  if (!bits) {
    bits = emptyBits(current);
    for (const id of stringSet(ids)) {
      const entry = current.entries.get(id);
      if (entry) setBit(bits, entry.slot);
    }
    current.bitsOfIds.set(ids, bits);
    current.derivedFromEntries = true;
  }
  return bits;
}

function union(current: Index, sets: Uint32Array[]): Uint32Array {
  const bits = borrowBits(current);
  for (const set of sets) for (let w = 0; w < bits.length; w++) bits[w] |= set[w];
  return bits;
}

/**
 * The contacts matching one criterion of the filter, as a bitset, for the shapes contactQuery
 * emits (`field: {$in}` on a posted field or `_id`, a search word `^prefix`, `erasedAt: null`,
 * `$or`/`$nor` of those); undefined for any other, which is then tested contact by contact.
 */
function criterionBits(current: Index, part: Where): Uint32Array | undefined {
  const keys = Object.keys(part);
  if (keys.length !== 1) return undefined;
  const [field] = keys;
  const condition = part[field] as Record<string, unknown> | null;
  if (field === '$or' || field === '$nor') {
    const each = (condition as unknown as Where[]).map((child) => criterionBits(current, child));
    if (each.some((bits) => !bits)) return undefined;
    const any = union(current, each as Uint32Array[]);
    if (field === '$or') return any;
    const every = everyContact(current);
    for (let w = 0; w < any.length; w++) any[w] = every[w] & ~any[w];
    return any;
  }
  if (field === 'erasedAt' && condition === null) {
    return remembered(current, 'not erased', () => bitsOfEntries(current, [[...current.entries.values()].filter((entry) => entry.erasedAt === null)], emptyBits(current)));
  }
  if (!condition || typeof condition !== 'object' || condition instanceof Types.ObjectId || Object.keys(condition).length !== 1) return undefined;
  if (field === '_id') return Array.isArray(condition.$in) ? bitsOfIds(current, condition.$in) : undefined;
  if (!(POSTED as readonly string[]).includes(field)) return undefined;
  const byValue = postingsOf(current, field as (typeof POSTED)[number]);
  if (Array.isArray(condition.$in)) return bitsOfEntries(current, condition.$in.map((value) => byValue.get(String(value))));
  if (field === 'searchTokens' && typeof condition.$regex === 'string' && /^\^(?:[a-z0-9@]|\\\.)+$/.test(condition.$regex)) {
    const tokens = tokensWithPrefix(current, condition.$regex.slice(1).replace(/\\\./g, '.'));
    return bitsOfEntries(current, tokens.map((token) => byValue.get(token)));
  }
  return undefined;
}

/** The top-level criteria of a filter (nested `$and`s flattened): each narrows the result. */
function criteriaOf(where: Where): Where[] {
  return Object.entries(where).flatMap(([key, condition]) => (key === '$and' ? (condition as Where[]).flatMap(criteriaOf) : [{ [key]: condition }]));
}

/**
 * How a filter is evaluated: the criteria that have a bitset are intersected word by word
 * (a few thousand words at 100,000 contacts); the others are tested on the contacts left.
 */
type Evaluation = { bits: Uint32Array; rest: Test | undefined };

function evaluate(current: Index, where: Where): Evaluation {
  lentCount = 0;
  const bits = borrowBits(current);
  bits.set(everyContact(current));
  const rest: Where[] = [];
  for (const criterion of criteriaOf(where)) {
    const found = criterionBits(current, criterion);
    if (!found) rest.push(criterion);
    else for (let w = 0; w < bits.length; w++) bits[w] &= found[w];
  }
  return { bits, rest: rest.length ? compileWhere({ $and: rest }) : undefined };
}

/** Calls `visit` with every matching contact, in slot order. */
function forEachMatch(current: Index, { bits, rest }: Evaluation, visit: (entry: Entry) => void): void {
  for (let w = 0; w < bits.length; w++) {
    for (let word = bits[w]; word !== 0; word &= word - 1) {
      const entry = current.bySlot[(w << 5) | (31 - Math.clz32(word & -word))]!;
      if (!rest || rest(entry)) visit(entry);
    }
  }
}

function popcount(bits: Uint32Array): number {
  let total = 0;
  for (let w = 0; w < bits.length; w++) {
    let x = bits[w] - ((bits[w] >>> 1) & 0x55555555);
    x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
    total += (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
  }
  return total;
}

function countOf(current: Index, evaluation: Evaluation): number {
  if (!evaluation.rest) return popcount(evaluation.bits);
  let total = 0;
  forEachMatch(current, evaluation, () => total++);
  return total;
}

function matchingEntries(current: Index, where: Where): Entry[] {
  const found: Entry[] = [];
  forEachMatch(current, evaluate(current, where), (entry) => found.push(entry));
  return found;
}

/** The distinct tokens starting with `prefix` (binary search in the sorted token list). */
function tokensWithPrefix(current: Index, prefix: string): string[] {
  current.tokens ??= [...postingsOf(current, 'searchTokens').keys()].sort();
  current.derivedFromEntries = true;
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

/** The ids of one page of matching contacts, in order, and the total. */
export async function queryContactIndex(
  where: Where,
  options: { sort: { field: string; order: 1 | -1 }; skip: number; limit: number },
): Promise<{ ids: string[]; total: number }> {
  const current = await contactIndex();
  if (!SORT_FIELDS.includes(options.sort.field as (typeof SORT_FIELDS)[number])) throw new Error(`contact index: cannot sort on ${options.sort.field}`);
  const evaluation = evaluate(current, where);
  const total = countOf(current, evaluation);
  const wanted = options.skip + options.limit;
  // Many matches for a short page: walk the sorted list to the page instead of sorting them all.
  if (total > 2000 && wanted < total / 8) return { ids: pageOf(sortedBy(current, options.sort.field), evaluation, options), total };
  const found: Entry[] = [];
  forEachMatch(current, evaluation, (entry) => found.push(entry));
  found.sort(compareBy(options.sort.field));
  if (options.sort.order === -1) found.reverse();
  return { ids: found.slice(options.skip, wanted).map((e) => e.id), total };
}

/** The ids of one page of `sorted` among the matches. */
function pageOf(sorted: Entry[], { bits, rest }: Evaluation, options: { sort: { order: 1 | -1 }; skip: number; limit: number }): string[] {
  const page: string[] = [];
  let seen = 0;
  const step = options.sort.order;
  for (let i = step === 1 ? 0 : sorted.length - 1; i >= 0 && i < sorted.length && page.length < options.limit; i += step) {
    if (!hasBit(bits, sorted[i].slot) || (rest && !rest(sorted[i]))) continue;
    if (seen++ >= options.skip) page.push(sorted[i].id);
  }
  return page;
}

export async function countContactIndex(where: Where): Promise<number> {
  const current = await contactIndex();
  return countOf(current, evaluate(current, where));
}

/** The id of the contact holding this (normalised) address, primary or other. */
export async function contactIdByEmail(address: string): Promise<string | undefined> {
  return (await contactIndex()).byEmail.get(address);
}

/**
 * A view of the base for a long batch job (an import): every address → contact id as of now
 * (a copy the job may extend). The index keeps no contact documents: `unchanged` has none to
 * give, and the job reads the contacts it needs by `_id` (answered from the database's index).
 */
export async function contactsView() {
  const start = await contactIndex();
  return {
    byEmail: new Map(start.byEmail),
    async refresh(): Promise<void> {},
    unchanged(_id: string): Record<string, unknown> | undefined {
      return undefined;
    },
  };
}
export type ContactsView = Awaited<ReturnType<typeof contactsView>>;

/** The ids of every contact matching a Mongo filter (any order). */
export async function contactIdsWhere(where: Where): Promise<string[]> {
  return matchingEntries(await contactIndex(), where).map((entry) => entry.id);
}

/** Name and organisations of every contact not erased, for the duplicates view. */
export async function contactNames(): Promise<Array<{ id: string; firstName: string; lastName: string; email: string; sortName: string; organisations: readonly string[] }>> {
  const current = await contactIndex();
  return [...current.entries.values()]
    .filter((e) => !e.erasedAt)
    .map((e) => ({ id: e.id, firstName: e.firstName, lastName: e.lastName, email: e.email, sortName: e.sortName, organisations: e.organisations }));
}

export type MailingFields = Pick<Entry, 'id' | 'email' | 'firstName' | 'lastName' | 'sortName' | 'organisations' | 'erasedAt'>;

/** What a mailing needs of every contact matching a Mongo filter (`{}`: every contact, erased ones included). */
export async function mailingFieldsWhere(where: Where): Promise<MailingFields[]> {
  return matchingEntries(await contactIndex(), where);
}

/** The contacts with a subscription in one of these states to one of these lists (the same array while nothing changes). */
export async function subscriberIds(lists: readonly string[], statuses: readonly string[]): Promise<Types.ObjectId[]> {
  const current = await contactIndex();
  const key = JSON.stringify([[...lists].sort(), [...statuses].sort()]);
  let ids = current.derived.get(key);
  if (!ids) {
    const found = new Set<string>();
    for (const list of lists) for (const status of statuses) for (const contact of current.subscribers.get(subscriberKey(list, status)) ?? []) found.add(contact);
    current.derived.set(key, (ids = [...found].map((id) => new Types.ObjectId(id))));
  }
  return ids;
}

/** Every membership's facts (a few hundred: the `membership` criterion evaluates them per query). */
export async function membershipFacts(): Promise<MembershipFact[]> {
  return [...(await contactIndex()).memberships.values()];
}
