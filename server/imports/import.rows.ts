import { Types } from 'mongoose';
import { z } from 'zod';
import { contactCreateBody } from '../contacts/contact.schemas.js';
import { normalizeEmail, normalizeText } from '../lib/normalize.js';
import { Organisation } from '../organisations/organisation.model.js';
import { resolveTerritoryLabel } from '../territories/territory.service.js';
import { resolveThemeLabel } from '../themes/theme.service.js';
import { vocabularyOf } from '../vocabularies/vocabulary.service.js';
import type { CsvRecord } from './csv.js';
import { IMPORT_FIELD_LABELS, type ColumnMapping, type ImportField } from './import.mapping.js';

/** One data line of the file, read through the mapping: the values as they will be stored. */
export type RowValues = {
  email: string;
  emails: string[];
  civility?: 'madame' | 'monsieur';
  firstName?: string;
  lastName?: string;
  phones: string[];
  function?: string;
  /** Organisation ids, or `new:<name>` for one the commit creates. */
  organisations: string[];
  themes: string[];
  territories: string[];
  dispositifs: string[];
  notes?: string;
  consent?: { at?: Date; confirmedAt?: Date; ip?: string };
};

export type RowIssue = { column?: string; reason: string };
export type ParsedRow = { line: number; cells: string[]; values?: RowValues; errors: RowIssue[] };

export const emailSchema = z.email();
const MULTI_VALUE = /[,;|\n]/;
const CIVILITIES: Record<string, 'madame' | 'monsieur'> = {
  madame: 'madame', mme: 'madame', mlle: 'madame', mademoiselle: 'madame', mrs: 'madame', ms: 'madame', miss: 'madame',
  monsieur: 'monsieur', m: 'monsieur', mr: 'monsieur', mister: 'monsieur',
};

/**
 * Turns labels into ids for one run: themes, territories, functions, dispositifs and
 * organisations are looked up once per distinct label and remembered.
 */
export class Resolver {
  private themes = new Map<string, string | undefined>();
  private constructor(
    private readonly functions: Map<string, string>,
    private readonly dispositifs: Map<string, string>,
    private readonly organisations: Map<string, string>,
  ) {}

  static async create(): Promise<Resolver> {
    const [functions, dispositifs, organisations] = await Promise.all([
      vocabularyOf('functions'),
      vocabularyOf('dispositifs'),
      Organisation.find({}, { name: 1 }).lean(),
    ]);
    return new Resolver(labelMap(functions), labelMap(dispositifs), new Map(organisations.map((o) => [normalizeText(o.name), String(o._id)])));
  }

  async theme(label: string): Promise<string | undefined> {
    if (!this.themes.has(label)) this.themes.set(label, (await resolveThemeLabel(label))?._id.toString());
    return this.themes.get(label);
  }

  territory(label: string): string | undefined {
    return resolveTerritoryLabel(label)?.id;
  }

  function(label: string): string | undefined {
    return this.functions.get(normalizeText(label));
  }

  dispositif(label: string): string | undefined {
    return this.dispositifs.get(normalizeText(label));
  }

  /** An existing organisation's id, else `new:<name>` (created at commit). */
  organisation(name: string): string {
    return this.organisations.get(normalizeText(name)) ?? `new:${name}`;
  }

  /** Remembers an organisation the commit created, so later rows reuse it. */
  rememberOrganisation(name: string, id: string): void {
    this.organisations.set(normalizeText(name), id);
  }
}

/** code → code, label → code, and "(ASV)" → code, all normalised. */
function labelMap(entries: { code: string; label: string }[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const entry of entries) {
    map.set(normalizeText(entry.code), entry.code);
    map.set(normalizeText(entry.label), entry.code);
    const acronym = /\(([^)]+)\)\s*$/.exec(entry.label)?.[1];
    if (acronym && !map.has(normalizeText(acronym))) map.set(normalizeText(acronym), entry.code);
  }
  return map;
}

/** Splits a multi-value cell on `,` `;` `|` or line breaks; Mailchimp's quoted tags lose their quotes. */
export function splitValues(cell: string): string[] {
  return cell
    .split(MULTI_VALUE)
    .map((v) => v.trim().replace(/^"(.*)"$/, '$1').trim())
    .filter(Boolean);
}

/** Reads one record through the mapping; every unreadable value is an error naming its column. */
export async function parseRow(record: CsvRecord, mapping: readonly ColumnMapping[], resolver: Resolver): Promise<ParsedRow> {
  const errors: RowIssue[] = [];
  const values: RowValues = { email: '', emails: [], phones: [], organisations: [], themes: [], territories: [], dispositifs: [] };
  for (const { column, header, field } of mapping) {
    if (field === 'ignore') continue;
    const cell = (record.cells[column] ?? '').trim();
    if (!cell) continue;
    const reason = await readCell(values, field, cell, resolver);
    if (reason) errors.push({ column: header, reason });
  }
  if (record.unclosedQuote) errors.push({ reason: `Guillemet ouvert à la ligne ${record.line} et jamais fermé : la fin du fichier est illisible.` });
  if (!values.email) {
    const column = mapping.find((m) => m.field === 'email')?.header;
    if (!errors.some((e) => e.column === column)) errors.unshift({ column, reason: 'Adresse e-mail manquante.' });
  }
  if (!errors.length) errors.push(...contactRuleErrors(values, mapping));
  return { line: record.line, cells: record.cells, values: errors.length ? undefined : values, errors };
}

/** The contact API's own schema checks the row too (lengths, phone numbers, ...): one rule for both. */
function contactRuleErrors(values: RowValues, mapping: readonly ColumnMapping[]): RowIssue[] {
  const { consent: _consent, organisations, ...fields } = values;
  const checked = contactCreateBody.safeParse({ ...fields, organisations: organisations.filter((id) => !isNewOrganisation(id)) });
  if (checked.success) return [];
  return checked.error.issues.slice(0, 1).map((issue) => {
    const field = String(issue.path[0]);
    const column = mapping.find((m) => m.field === field)?.header;
    return { column, reason: `${IMPORT_FIELD_LABELS[field as ImportField] ?? field} : ${issue.message}.` };
  });
}

async function readCell(values: RowValues, field: ImportField, cell: string, resolver: Resolver): Promise<string | undefined> {
  switch (field) {
    case 'email': {
      const email = normalizeEmail(cell);
      if (!emailSchema.safeParse(email).success) return `Adresse e-mail invalide : « ${cell} ».`;
      values.email = ownString(email);
      return undefined;
    }
    case 'emails': {
      const emails = splitValues(cell).map(normalizeEmail);
      const bad = emails.find((e) => !emailSchema.safeParse(e).success);
      if (bad) return `Adresse e-mail invalide : « ${bad} ».`;
      values.emails = unique([...values.emails, ...emails]);
      return undefined;
    }
    case 'civility': {
      const civility = CIVILITIES[normalizeText(cell).replace(/[ .]/g, '')];
      if (!civility) return `Civilité inconnue « ${cell} » (Madame ou Monsieur attendu).`;
      values.civility = civility;
      return undefined;
    }
    case 'firstName':
    case 'lastName':
    case 'notes':
      values[field] = cell; // stored as typed, even "=SOMME(A1)": it is text, never evaluated
      return undefined;
    case 'phones':
      values.phones = unique([...values.phones, ...splitValues(cell)]);
      return undefined;
    case 'function': {
      const code = resolver.function(cell);
      if (!code) return `Fonction inconnue « ${cell} ».`;
      values.function = code;
      return undefined;
    }
    case 'organisation':
      values.organisations = unique([...values.organisations, resolver.organisation(cell)]);
      return undefined;
    case 'themes':
      return resolveAll(cell, values.themes, (label) => resolver.theme(label), 'Thématique inconnue');
    case 'territories':
      return resolveAll(cell, values.territories, async (label) => resolver.territory(label), 'Territoire inconnu');
    case 'dispositifs':
      return resolveAll(cell, values.dispositifs, async (label) => resolver.dispositif(label), 'Dispositif inconnu');
    case 'consentAt':
    case 'consentConfirmedAt': {
      const date = parseDate(cell);
      if (!date) return `Date illisible « ${cell} » pour « ${IMPORT_FIELD_LABELS[field]} ».`;
      values.consent = { ...values.consent, [field === 'consentAt' ? 'at' : 'confirmedAt']: date };
      return undefined;
    }
    case 'consentIp':
      values.consent = { ...values.consent, ip: cell };
      return undefined;
    default:
      return undefined;
  }
}

async function resolveAll(cell: string, into: string[], resolve: (label: string) => Promise<string | undefined>, what: string): Promise<string | undefined> {
  const unknown: string[] = [];
  for (const label of splitValues(cell)) {
    const id = await resolve(label);
    if (id === undefined) unknown.push(label);
    else if (!into.includes(id)) into.push(id);
  }
  if (!unknown.length) return undefined;
  return `${what}${unknown.length > 1 ? 's' : ''} : ${unknown.map((u) => `« ${u} »`).join(', ')}.`;
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

export const isNewOrganisation = (id: string) => id.startsWith('new:');
export const newObjectId = () => new Types.ObjectId();
