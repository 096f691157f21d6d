import { Types } from 'mongoose';
import { contactsView, readContacts, type ContactsView } from '../contacts/contact.store.js';
import { loadSuppressionList } from '../suppressions/suppression.service.js';
import { readCsv, type CsvRecord } from './csv.js';
import { emptyCounts, ImportIssue, type ImportCounts, type ImportPolicy } from './import.model.js';
import { planLine, mergeRowValues, IMPORTED_FIELDS, type ExistingContact, type LinePlan } from './import.plan.js';
import { parseRow, type ParsedRow, type Resolver, type RowValues } from './import.rows.js';
import type { ColumnMapping } from './import.mapping.js';

/**
 * The streaming engine shared by the dry run and the commit: reads the file record by
 * record, groups records in batches, and plans each batch against the database: the base's
 * addresses and the suppression list are read once per run, then one `_id` query per batch
 * for the existing contacts it names.
 */
/**
 * Two batches are in flight (one written, one prepared). At 100,000 rows the importing process
 * peaked at 249–251 MB with 1,000 rows per batch, 238–242 with 500, for the same CPU and 3–7 %
 * fewer rows a second (bench/RESULTS.md, eleventh session).
 */
export const BATCH_SIZE = 500;
/** Wide rows make smaller batches: memory stays flat whatever the file (two batches are held at once). */
const BATCH_BYTES = 2 * 1024 * 1024;

/**
 * Planning is CPU work that runs while the previous batch is written: it lets the database's
 * replies in every few hundred rows, so that batch's next write is sent at once instead of
 * after the whole plan (the database would sit idle meanwhile).
 */
const YIELD_EVERY = 200;
/** Call with the row's position in its batch: every YIELD_EVERY rows, lets I/O callbacks run. */
export const letIoInEvery = async (position: number) => {
  if (position % YIELD_EVERY === YIELD_EVERY - 1) await new Promise<void>((resolve) => setImmediate(resolve));
};

export type ImportSource = {
  _id: Types.ObjectId;
  filePath: string;
  encoding: 'utf-8' | 'windows-1252';
  delimiter: ';' | ',' | '\t' | '|';
  headerLine: number;
  mapping: ColumnMapping[];
  policy: ImportPolicy;
};

export type Issue = { line: number; row: number; kind: 'error' | 'warning' | 'skipped' | 'duplicate' | 'notice'; column?: string; reason: string; cells: string[] };

export type BatchResult = {
  index: number;
  /** Data records read so far, this batch included: the cursor once it is written. */
  recordsEnd: number;
  /** Lets the commit tell later batches about the contacts it created. */
  addresses: AddressIndex;
  plans: LinePlan[];
  /** Rows whose address an earlier batch already imported: applied as updates, counted as duplicates. */
  laterDuplicates: LinePlan[];
  issues: Issue[];
  counts: ImportCounts;
};

/** A data record and the blank rows (empty lines, lines of empty cells) just before it. */
export type DataRecord = CsvRecord & { blankBefore: number };

/** Data records: after the header, blank rows left out (and counted on the next record). */
export async function* dataRecords(source: ImportSource): AsyncGenerator<DataRecord> {
  let lastRow = 0;
  let blank = 0;
  for await (const record of readCsv(source.filePath, source)) {
    if (record.line <= source.headerLine) {
      lastRow = record.row;
      continue;
    }
    blank += record.row - lastRow - 1;
    lastRow = record.row;
    if (record.cells.every((cell) => cell.trim() === '')) {
      blank++;
      continue;
    }
    yield Object.assign(record, { blankBefore: blank });
    blank = 0;
  }
}

/**
 * Calls `handle` with each planned batch (and what `prepare` made of it), starting after
 * `skipRecords` records (a resumed commit). `seen` maps each address to the first line that
 * carried it, skipped records included, so a duplicate is recognised across batches and
 * across a restart.
 */
export async function forEachBatch<P = undefined>(
  source: ImportSource,
  resolver: Resolver,
  options: { skipRecords?: number; firstBatch?: number; againstImported: boolean; batchSize?: number; prepare?: (batch: BatchResult) => Promise<P> },
  handle: (batch: BatchResult, prepared: P) => Promise<void>,
): Promise<void> {
  const [addresses, suppressed] = await Promise.all([AddressIndex.load(), loadSuppressionList()]);
  const seen = new Map<string, number>();
  const skip = options.skipRecords ?? 0;
  let index = options.firstBatch ?? 0;
  let count = 0;
  let pending: DataRecord[] = [];
  let pendingBytes = 0;
  // The next batch is read, checked, planned and prepared while the previous one is being
  // written, unless it names a contact of the base, an address imported earlier in the file or
  // a new organisation: then it is planned after, so it sees what the previous one wrote.
  let handling: Promise<void> = Promise.resolve();
  const flush = async () => {
    const records = pending;
    pending = [];
    pendingBytes = 0;
    const sorted = await sortBatch(records, source, resolver, { seen, suppressed }, options.againstImported);
    if (!standsAlone(sorted, addresses)) await handling;
    const batch = await planBatch(sorted, index++, count, source, addresses);
    const prepared = (await options.prepare?.(batch)) as P;
    await handling;
    handling = handle(batch, prepared);
    handling.catch(() => undefined); // awaited (and thrown) before the next batch or at the end
  };
  for await (const record of dataRecords(source)) {
    count++;
    if (count <= skip) {
      const row = parseRow(record, source.mapping, resolver);
      if (row.values && !seen.has(row.values.email)) seen.set(row.values.email, row.row);
      continue;
    }
    pending.push(record);
    pendingBytes += record.cells.reduce((bytes, cell) => bytes + cell.length, 0);
    if (pending.length >= (options.batchSize ?? BATCH_SIZE) || pendingBytes >= BATCH_BYTES) await flush();
  }
  if (pending.length) await flush();
  await handling;
}

/** A batch of new addresses only: nothing an earlier batch writes changes its plan. */
function standsAlone(sorted: SortedBatch, addresses: AddressIndex): boolean {
  if (sorted.later.length) return false;
  for (const email of sorted.firsts.keys()) if (addresses.has(email)) return false;
  return true;
}

type ValidRow = ParsedRow & { values: RowValues };
type SortedBatch = { firsts: Map<string, ValidRow>; later: ValidRow[]; issues: Issue[]; counts: ImportCounts };

/** Parses a batch's records and sorts its rows: errors, suppressed, duplicates, first occurrences. */
async function sortBatch(
  records: DataRecord[],
  source: ImportSource,
  resolver: Resolver,
  { seen, suppressed }: { seen: Map<string, number>; suppressed: { has(email: string): boolean } },
  againstImported: boolean,
): Promise<SortedBatch> {
  const counts = { ...emptyCounts(), rows: records.length };
  const issues: Issue[] = [];
  const rows: ParsedRow[] = [];
  for (const [i, record] of records.entries()) {
    counts.blank += record.blankBefore;
    rows.push(parseRow(record, source.mapping, resolver));
    await letIoInEvery(i);
  }

  const valid = rows.filter((row): row is ValidRow => {
    if (row.values) {
      if (row.warnings.length) {
        issues.push({ line: row.line, row: row.row, kind: 'warning', column: row.warnings[0].column, reason: row.warnings.map((w) => w.reason).join(' '), cells: row.cells });
        counts.warnings++;
      }
      return true;
    }
    issues.push({ line: row.line, row: row.row, kind: 'error', column: row.errors[0]?.column, reason: row.errors.map((e) => e.reason).join(' '), cells: row.cells });
    counts.errors++;
    return false;
  });
  const firsts = new Map<string, ValidRow>();
  const later: ValidRow[] = [];
  for (const row of valid) {
    const email = row.values.email;
    if (suppressed.has(email)) {
      issues.push({ line: row.line, row: row.row, kind: 'skipped', reason: 'Adresse sur la liste d’opposition (désinscrite, effacée ou en erreur) : non importée.', cells: row.cells });
      counts.skipped++;
      continue;
    }
    const firstLine = seen.get(email);
    if (firstLine === undefined) {
      seen.set(email, row.row);
      firsts.set(email, row);
      continue;
    }
    issues.push({ line: row.line, row: row.row, kind: 'duplicate', reason: `Même adresse que la ligne ${firstLine} (« ${originalEmail(row, source.mapping)} ») : fusionnée avec elle.`, cells: row.cells });
    counts.duplicates++;
    const first = firsts.get(email);
    if (first) first.values = mergeRowValues(first.values, row.values, source.policy);
    else if (againstImported) later.push(row);
  }
  return { firsts, later, issues, counts };
}

/** Plans a sorted batch against the contacts of the base. */
async function planBatch(sorted: SortedBatch, index: number, recordsEnd: number, source: ImportSource, addresses: AddressIndex): Promise<BatchResult> {
  const { firsts, later, issues, counts } = sorted;
  const emails = [...firsts.keys(), ...later.map((row) => row.values.email)];
  const existing = await addresses.contacts(emails);
  const plans = [...firsts.values()].map((row) => planLine(row, existing.get(row.values.email), source.policy));
  for (const plan of plans) counts[plan.action === 'create' ? 'created' : plan.action === 'update' ? 'updated' : 'unchanged']++;
  const laterDuplicates = later.map((row) => planLine(row, existing.get(row.values.email), source.policy));
  return { index, recordsEnd, addresses, plans, laterDuplicates, issues, counts };
}

/**
 * The base's addresses and contacts for one run, from the contacts' index (already in memory
 * in the app): FerretDB/SQLite answers a filter on `email` by reading the whole collection,
 * and decodes about 5,000 documents a second. A contact changed since the run began (by this
 * run or anyone else, as the index's log says) is read again from the database by `_id`.
 */
export class AddressIndex {
  private constructor(private readonly view: ContactsView) {}

  static async load(): Promise<AddressIndex> {
    return new AddressIndex(await contactsView());
  }

  has(email: string): boolean {
    return this.view.byEmail.has(email);
  }

  add(email: string, id: string): void {
    this.view.byEmail.set(email, id);
  }

  /** The contacts holding these addresses; batches of new addresses ask nothing. */
  async contacts(emails: string[]): Promise<Map<string, ExistingContact>> {
    const wanted = new Set(emails.map((email) => this.view.byEmail.get(email)).filter((id): id is string => Boolean(id)));
    const found = new Map<string, ExistingContact>();
    if (wanted.size) await this.view.refresh();
    const changed: string[] = [];
    for (const id of wanted) {
      const doc = this.view.unchanged(id);
      if (doc) found.set(id, { ...doc, _id: new Types.ObjectId(id) } as ExistingContact);
      else changed.push(id);
    }
    if (changed.length) for (const contact of (await readContacts(changed)) as unknown as ExistingContact[]) found.set(String(contact._id), contact);
    const byAddress = new Map<string, ExistingContact>();
    for (const email of emails) {
      const contact = found.get(this.view.byEmail.get(email) ?? '');
      if (contact) byAddress.set(email, contact);
    }
    return byAddress;
  }
}

function originalEmail(row: ParsedRow, mapping: readonly ColumnMapping[]): string {
  const column = mapping.find((m) => m.field === 'email')!.column;
  return (row.cells[column] ?? '').trim();
}

export function addCounts(total: ImportCounts, more: ImportCounts): void {
  for (const key of Object.keys(total) as (keyof ImportCounts)[]) total[key] += more[key];
}

export async function saveIssues(importId: Types.ObjectId, phase: 'preview' | 'commit', batch: number, issues: Issue[]): Promise<void> {
  if (issues.length) await ImportIssue.insertMany(issues.map((issue) => ({ ...issue, import: importId, phase, batch })), { ordered: false });
}

/** A line of the dry run as the admin shows it: action, address, changed fields, values to store. */
export function describePlan(plan: LinePlan) {
  const fields = Object.fromEntries(IMPORTED_FIELDS.filter((f) => plan.values[f] !== undefined).map((f) => [f, plan.values[f]]));
  return {
    line: plan.line,
    row: plan.row.row,
    action: plan.action,
    email: plan.email,
    values: fields,
    ...(plan.action === 'update' ? { changes: plan.changes } : {}),
    ...(plan.row.warnings.length ? { warnings: plan.row.warnings } : {}),
  };
}

