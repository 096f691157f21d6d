import { Types } from 'mongoose';
import { Contact } from '../contacts/contact.model.js';
import { suppressedAmong } from '../suppressions/suppression.service.js';
import { readCsv, type CsvRecord } from './csv.js';
import { emptyCounts, ImportIssue, type ImportCounts, type ImportPolicy } from './import.model.js';
import { planLine, mergeRowValues, IMPORTED_FIELDS, type ExistingContact, type LinePlan } from './import.plan.js';
import { parseRow, type ParsedRow, type Resolver, type RowValues } from './import.rows.js';
import type { ColumnMapping } from './import.mapping.js';

/**
 * The streaming engine shared by the dry run and the commit: reads the file record by
 * record, groups records in batches, and plans each batch against the database (one query
 * for the batch's contacts, one for its suppressed addresses).
 */
export const BATCH_SIZE = 1000;

export type ImportSource = {
  _id: Types.ObjectId;
  filePath: string;
  encoding: 'utf-8' | 'windows-1252';
  delimiter: ';' | ',' | '\t' | '|';
  headerLine: number;
  mapping: ColumnMapping[];
  policy: ImportPolicy;
};

export type Issue = { line: number; kind: 'error' | 'skipped' | 'duplicate' | 'notice'; column?: string; reason: string; cells: string[] };

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

/** Data records: after the header, blank lines (and lines of empty cells) left out. */
export async function* dataRecords(source: ImportSource): AsyncGenerator<CsvRecord> {
  for await (const record of readCsv(source.filePath, source)) {
    if (record.line <= source.headerLine) continue;
    if (record.cells.every((cell) => cell.trim() === '')) continue;
    yield record;
  }
}

/**
 * Calls `handle` with each planned batch, starting after `skipRecords` records (a resumed
 * commit). `seen` maps each address to the first line that carried it, skipped records
 * included, so a duplicate is recognised across batches and across a restart.
 */
export async function forEachBatch(
  source: ImportSource,
  resolver: Resolver,
  options: { skipRecords?: number; firstBatch?: number; againstImported: boolean; batchSize?: number },
  handle: (batch: BatchResult) => Promise<void>,
): Promise<void> {
  const addresses = await AddressIndex.load();
  const seen = new Map<string, number>();
  const skip = options.skipRecords ?? 0;
  let index = options.firstBatch ?? 0;
  let count = 0;
  let pending: CsvRecord[] = [];
  const flush = async () => {
    const records = pending;
    pending = [];
    await handle(await planBatch(records, index++, count, source, resolver, seen, addresses, options.againstImported));
  };
  for await (const record of dataRecords(source)) {
    count++;
    if (count <= skip) {
      const row = await parseRow(record, source.mapping, resolver);
      if (row.values && !seen.has(row.values.email)) seen.set(row.values.email, row.line);
      continue;
    }
    pending.push(record);
    if (pending.length >= (options.batchSize ?? BATCH_SIZE)) await flush();
  }
  if (pending.length) await flush();
}

async function planBatch(
  records: CsvRecord[],
  index: number,
  recordsEnd: number,
  source: ImportSource,
  resolver: Resolver,
  seen: Map<string, number>,
  addresses: AddressIndex,
  againstImported: boolean,
): Promise<BatchResult> {
  const counts = { ...emptyCounts(), rows: records.length };
  const issues: Issue[] = [];
  const rows: ParsedRow[] = [];
  for (const record of records) rows.push(await parseRow(record, source.mapping, resolver));

  const valid = rows.filter((row): row is ParsedRow & { values: RowValues } => {
    if (row.values) return true;
    issues.push({ line: row.line, kind: 'error', column: row.errors[0]?.column, reason: row.errors.map((e) => e.reason).join(' '), cells: row.cells });
    counts.errors++;
    return false;
  });
  const suppressed = await suppressedAmong(valid.map((row) => row.values.email));
  const firsts = new Map<string, ParsedRow & { values: RowValues }>();
  const later: Array<ParsedRow & { values: RowValues }> = [];
  for (const row of valid) {
    const email = row.values.email;
    if (suppressed.has(email)) {
      issues.push({ line: row.line, kind: 'skipped', reason: 'Adresse sur la liste d’opposition (désinscrite, effacée ou en erreur) : non importée.', cells: row.cells });
      counts.skipped++;
      continue;
    }
    const firstLine = seen.get(email);
    if (firstLine === undefined) {
      seen.set(email, row.line);
      firsts.set(email, row);
      continue;
    }
    issues.push({ line: row.line, kind: 'duplicate', reason: `Même adresse que la ligne ${firstLine} (« ${originalEmail(row, source.mapping)} ») : fusionnée avec elle.`, cells: row.cells });
    counts.duplicates++;
    const first = firsts.get(email);
    if (first) first.values = mergeRowValues(first.values, row.values, source.policy);
    else if (againstImported) later.push(row);
  }

  const emails = [...firsts.keys(), ...later.map((row) => row.values.email)];
  const existing = await addresses.contacts(emails);
  const plans = [...firsts.values()].map((row) => planLine(row, existing.get(row.values.email), source.policy));
  for (const plan of plans) counts[plan.action === 'create' ? 'created' : plan.action === 'update' ? 'updated' : 'unchanged']++;
  const laterDuplicates = later.map((row) => planLine(row, existing.get(row.values.email), source.policy));
  return { index, recordsEnd, addresses, plans, laterDuplicates, issues, counts };
}

/**
 * Every address of the base (primary and other e-mails) → contact id, read once per run.
 * FerretDB answers `_id` equality from its primary key but scans the whole collection for an
 * `$in` on another field, so a per-batch `{email: {$in}}` would make an import quadratic.
 */
export class AddressIndex {
  private constructor(private readonly ids: Map<string, string>) {}

  static async load(): Promise<AddressIndex> {
    const ids = new Map<string, string>();
    const others: Array<[string, string]> = [];
    for await (const contact of Contact.find({}, { email: 1, emails: 1 }).lean().cursor()) {
      ids.set(contact.email, String(contact._id));
      for (const address of contact.emails ?? []) others.push([address, String(contact._id)]);
    }
    for (const [address, id] of others) if (!ids.has(address)) ids.set(address, id);
    return new AddressIndex(ids);
  }

  add(email: string, id: string): void {
    this.ids.set(email, id);
  }

  /**
   * The contacts holding these addresses, in one query (FerretDB scans for an `$in`, but one
   * scan per batch beats a thousand `_id` lookups); batches of new addresses ask nothing.
   */
  async contacts(emails: string[]): Promise<Map<string, ExistingContact>> {
    const wanted = [...new Set(emails.map((email) => this.ids.get(email)).filter((id): id is string => Boolean(id)))];
    const found = new Map<string, ExistingContact>();
    if (wanted.length) for (const contact of await Contact.find({ _id: { $in: wanted } }).lean<ExistingContact[]>()) found.set(String(contact._id), contact);
    const byAddress = new Map<string, ExistingContact>();
    for (const email of emails) {
      const contact = found.get(this.ids.get(email) ?? '');
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
    action: plan.action,
    email: plan.email,
    values: fields,
    ...(plan.action === 'update' ? { changes: plan.changes } : {}),
  };
}

