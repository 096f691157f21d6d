import { Types } from 'mongoose';
import { z } from 'zod';
import { contactCreateBody } from '../contacts/contact.schemas.js';
import { normalizeEmail, normalizeText } from '../lib/normalize.js';
import { resolveLineTerritories } from '../territories/territory.service.js';
import type { CsvRecord } from './csv.js';
import { IMPORT_FIELD_LABELS, type ColumnMapping, type ImportField } from './import.mapping.js';
import { OrganisationMap, type OrganisationDecision } from './import.organisations.js';
import { loadCatalog, ValueMap, VALUE_FIELD_LABELS, type ValueDecision, type ValueField, type ValueReport } from './import.values.js';

/** One data line of the file, read through the mapping: the values as they will be stored. */
export type RowValues = {
  email: string;
  emails: string[];
  civility?: 'madame' | 'monsieur';
  firstName?: string;
  lastName?: string;
  phones: string[];
  function?: string;
  /** The function as the file wrote it, when it is not the managed label itself. */
  functionLabel?: string;
  organisations: string[];
  themes: string[];
  territories: string[];
  dispositifs: string[];
  /** Lists a "Listes" column names (ids): subscribed when the line carries consent proof. */
  lists: string[];
  /** Values no managed entry took ("Thématique : Nutrition"): kept for staff to sort out. */
  unresolvedLabels: string[];
  notes?: string;
  consent?: { at?: Date; confirmedAt?: Date; ip?: string; confirmedIp?: string };
};

export type RowIssue = { column?: string; reason: string };
/** `row`: the spreadsheet row (header = 1, as Excel shows it); `line`: the text line it starts on. */
export type ParsedRow = { line: number; row: number; cells: string[]; values?: RowValues; errors: RowIssue[]; warnings: RowIssue[] };

export const emailSchema = z.email();
const MULTI_VALUE = /[,;|\n]/;
const CIVILITIES: Record<string, 'madame' | 'monsieur'> = {
  madame: 'madame', mme: 'madame', mlle: 'madame', mademoiselle: 'madame', mrs: 'madame', ms: 'madame', miss: 'madame',
  monsieur: 'monsieur', m: 'monsieur', mr: 'monsieur', mister: 'monsieur',
};

/**
 * Turns a row's labels into ids for one run: the value decisions (function, themes,
 * dispositifs, organisation type) and the organisations, each decided once per distinct value.
 */
export class Resolver {
  constructor(
    readonly values: ValueMap,
    readonly organisations: OrganisationMap,
  ) {}

  static async create(decisions: { values?: readonly ValueDecision[]; preset?: readonly ValueDecision[]; learned?: readonly ValueDecision[]; organisations?: readonly OrganisationDecision[] } = {}): Promise<Resolver> {
    const [catalog, organisations] = await Promise.all([loadCatalog(), OrganisationMap.load(decisions.organisations ?? [])]);
    return new Resolver(new ValueMap(catalog, decisions.values ?? [], decisions.preset, decisions.learned), organisations);
  }
}

/** Splits a multi-value cell on `,` `;` `|` or line breaks; Mailchimp's quoted tags lose their quotes. */
export function splitValues(cell: string): string[] {
  return cell
    .split(MULTI_VALUE)
    .map((v) => v.trim().replace(/^"(.*)"$/, '$1').trim())
    .filter(Boolean);
}

type RowState = { values: RowValues; errors: RowIssue[]; warnings: RowIssue[]; decided: Set<ValueReport>; organisationNames: string[]; organisationType?: string; territoryCells: { header: string; labels: string[] }[] };

/**
 * Reads one record through the mapping. Only a missing or invalid address and the contact's
 * own rules are errors; a value no managed entry takes is a warning and stays on the contact as text.
 */
export function parseRow(record: CsvRecord, mapping: readonly ColumnMapping[], resolver: Resolver): ParsedRow {
  const state: RowState = {
    values: { email: '', emails: [], phones: [], organisations: [], themes: [], territories: [], dispositifs: [], lists: [], unresolvedLabels: [] },
    errors: [],
    warnings: [],
    decided: new Set(),
    organisationNames: [],
    territoryCells: [],
  };
  for (const { column, header, field } of mapping) {
    if (field === 'ignore') continue;
    const cell = (record.cells[column] ?? '').trim();
    if (cell) readCell(state, field, header, cell, resolver);
  }
  readTerritories(state);
  const { values, errors } = state;
  if (record.unclosedQuote) errors.push({ reason: `Guillemet ouvert à la ligne ${record.line} et jamais fermé : la fin du fichier est illisible.` });
  if (!values.email) {
    const column = mapping.find((m) => m.field === 'email')?.header;
    if (!errors.some((e) => e.column === column)) errors.unshift({ column, reason: 'Adresse e-mail manquante.' });
  }
  const line = { territories: values.territories, type: state.organisationType };
  values.organisations = unique(state.organisationNames.map((name) => resolver.organisations.resolve(name, line)));
  if (!errors.length) errors.push(...contactRuleErrors(values, mapping));
  const valid = !errors.length;
  if (valid) {
    for (const report of state.decided) resolver.values.count(report);
    for (const name of state.organisationNames) resolver.organisations.count(name, line);
  }
  return { line: record.line, row: record.row, cells: record.cells, values: valid ? values : undefined, errors, warnings: state.warnings };
}

/** The contact API's own schema checks the row too (lengths, phone numbers, ...): one rule for both. */
function contactRuleErrors(values: RowValues, mapping: readonly ColumnMapping[]): RowIssue[] {
  const { consent: _consent, functionLabel: _label, unresolvedLabels: _unresolved, lists: _lists, ...fields } = values;
  const checked = contactCreateBody.safeParse(fields);
  if (checked.success) return [];
  return checked.error.issues.slice(0, 1).map((issue) => {
    const field = String(issue.path[0]);
    const column = mapping.find((m) => m.field === field)?.header;
    return { column, reason: `${IMPORT_FIELD_LABELS[field as ImportField] ?? field} : ${issue.message}.` };
  });
}

// Not a closure in readCell: tsx names every function created at run time, a cost per cell.
function warn(state: RowState, column: string, reason: string): void {
  state.warnings.push({ column, reason });
}

function readCell(state: RowState, field: ImportField, header: string, cell: string, resolver: Resolver): void {
  const { values } = state;
  switch (field) {
    case 'email': {
      const email = normalizeEmail(cell);
      if (!emailSchema.safeParse(email).success) state.errors.push({ column: header, reason: `Adresse e-mail invalide : « ${cell} ».` });
      else values.email = ownString(email);
      return;
    }
    case 'emails': {
      const emails = splitValues(cell).map(normalizeEmail);
      for (const bad of emails.filter((e) => !emailSchema.safeParse(e).success)) warn(state, header, `Autre adresse invalide « ${bad} » : non importée.`);
      values.emails = unique([...values.emails, ...emails.filter((e) => emailSchema.safeParse(e).success)]);
      return;
    }
    case 'civility': {
      const civility = CIVILITIES[normalizeText(cell).replace(/[ .]/g, '')];
      if (civility) values.civility = civility;
      else warn(state, header, `Civilité « ${cell} » non reconnue (Madame ou Monsieur attendu) : laissée vide.`);
      return;
    }
    case 'firstName':
    case 'lastName':
    case 'notes':
      values[field] = cell; // stored as typed, even "=SOMME(A1)": it is text, never evaluated
      return;
    case 'phones':
      values.phones = unique([...values.phones, ...splitValues(cell)]);
      return;
    case 'organisation':
      state.organisationNames.push(cell);
      return;
    case 'territories':
      state.territoryCells.push({ header, labels: splitValues(cell) });
      return;
    case 'function':
    case 'organisationType':
      return applyDecision(state, field, header, cell, resolver);
    case 'themes':
    case 'dispositifs':
    case 'lists':
      for (const label of splitValues(cell)) applyDecision(state, field, header, label, resolver);
      return;
    case 'consentAt':
    case 'consentConfirmedAt': {
      const date = parseDate(cell);
      if (!date) {
        warn(state, header, `Date illisible « ${cell} » pour « ${IMPORT_FIELD_LABELS[field]} » : consentement non repris.`);
        return;
      }
      values.consent = { ...values.consent, [field === 'consentAt' ? 'at' : 'confirmedAt']: date };
      return;
    }
    case 'consentIp':
    case 'consentConfirmedIp':
      values.consent = { ...values.consent, [field === 'consentIp' ? 'ip' : 'confirmedIp']: cell };
      return;
    default:
      return;
  }
}

/** One value of a managed list, through its decision. */
function applyDecision(state: RowState, field: ValueField, header: string, value: string, resolver: Resolver): void {
  const report = resolver.values.decide(field, value);
  state.decided.add(report);
  const { values } = state;
  if (report.action === 'ignore') return;
  if (report.action === 'text') {
    warn(state, header, `${VALUE_FIELD_LABELS[field]} « ${value} » non reconnue : gardée en texte.`);
    if (field === 'function') values.functionLabel = value;
    else values.unresolvedLabels = unique([...values.unresolvedLabels, `${VALUE_FIELD_LABELS[field]} : ${value}`]);
    return;
  }
  const targets = report.targets ?? [];
  if (field === 'function') {
    values.function = targets[0];
    if (normalizeText(value) !== normalizeText(report.targetLabels[0] ?? '')) values.functionLabel = value;
  } else if (field === 'organisationType') {
    state.organisationType = targets[0];
  } else {
    values[field] = unique([...values[field], ...targets]);
  }
}

/** Territory cells, read together: a postal code or département on the line tells which "Saint-Denis". */
function readTerritories(state: RowState): void {
  const labels = state.territoryCells.flatMap((c) => c.labels);
  if (!labels.length) return;
  const answers = resolveLineTerritories(labels);
  for (const { header, labels: cellLabels } of state.territoryCells) {
    for (const label of cellLabels) {
      if (!answers.has(label)) continue;
      const answer = answers.get(label);
      if (answer && 'territory' in answer) {
        state.values.territories = unique([...state.values.territories, answer.territory.id]);
        continue;
      }
      const reason = answer
        ? `Territoire « ${label} » ambigu (${answer.candidates.slice(0, 6).map((t) => t.label).join(', ')}${answer.candidates.length > 6 ? '…' : ''}) : ajoutez le code postal ou le département ; non rattaché.`
        : `Territoire « ${label} » inconnu : gardé en texte.`;
      warn(state, header, reason);
      state.values.unresolvedLabels = unique([...state.values.unresolvedLabels, `Territoire : ${label}`]);
    }
  }
}

/**
 * Dates as exports write them: ISO ("2024-03-12T10:15:00Z"), Mailchimp ("2024-03-12 10:15:00",
 * UTC) or French ("12/03/2024", "12/03/2024 10:15").
 */
export function parseDate(text: string): Date | undefined {
  const value = text.trim();
  const iso = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(value);
  if (iso) {
    const [, y, mo, d, h = '00', mi = '00', s = '00', zone = 'Z'] = iso;
    return validDate(`${y}-${mo}-${d}T${h}:${mi}:${s}${zone}`);
  }
  const fr = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2})[:h](\d{2})(?::(\d{2}))?)?$/.exec(value);
  if (fr) {
    const [, d, mo, y, h = '0', mi = '00', s = '00'] = fr;
    return validDate(`${y}-${mo.padStart(2, '0')}-${d.padStart(2, '0')}T${h.padStart(2, '0')}:${mi}:${s}Z`);
  }
  return undefined;
}

function validDate(iso: string): Date | undefined {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return undefined;
  // new Date() rolls 31/02 over to March: refuse dates that do not exist.
  return iso.endsWith('Z') && date.toISOString().slice(0, 10) !== iso.slice(0, 10) ? undefined : date;
}

/**
 * A copy of a string that does not point into the 64 KiB chunk it was cut from: V8 keeps a
 * whole chunk alive for any slice of it, and addresses outlive their batch (duplicate
 * detection, address index), which would keep the whole file in memory.
 */
export function ownString(value: string): string {
  return Buffer.from(value, 'utf8').toString('utf8');
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}

export const newObjectId = () => new Types.ObjectId();
