import type { ImportPolicy } from './import.model.js';
import type { ParsedRow, RowValues } from './import.rows.js';

/**
 * What a batch of rows would do to the contacts, computed without writing: the dry run shows
 * it, the commit applies it. One rule for both, so the preview never lies.
 */
export const SCALAR_FIELDS = ['civility', 'firstName', 'lastName', 'function', 'functionLabel', 'notes'] as const;
export const LIST_FIELDS = ['emails', 'phones', 'organisations', 'themes', 'territories', 'dispositifs', 'unresolvedLabels'] as const;
export const IMPORTED_FIELDS = [...SCALAR_FIELDS, ...LIST_FIELDS] as const;
export type ImportedField = (typeof IMPORTED_FIELDS)[number];
export type FieldValues = Partial<Record<ImportedField, unknown>>;

/** A contact as read from the database, reduced to what an import may change. */
export type ExistingContact = FieldValues & { _id: unknown; email: string; updatedAt?: Date };

export type LinePlan =
  | { line: number; action: 'create'; email: string; values: RowValues; row: ParsedRow }
  | { line: number; action: 'update'; email: string; values: RowValues; row: ParsedRow; contact: ExistingContact; set: FieldValues; changes: ImportedField[] }
  | { line: number; action: 'unchanged'; email: string; values: RowValues; row: ParsedRow; contact: ExistingContact };

const isEmpty = (value: unknown) => value === undefined || value === null || value === '' || (Array.isArray(value) && !value.length);
const asStrings = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : []);

/**
 * The fields `values` changes on `current` under `policy`: "fill" writes only empty fields,
 * "overwrite" replaces them; an empty cell never blanks a field; lists (themes, territories,
 * organisations, ...) always gain the new values and never lose any.
 */
export function diffFields(current: FieldValues & { email?: string }, values: RowValues, policy: ImportPolicy): { set: FieldValues; changes: ImportedField[] } {
  const set: FieldValues = {};
  for (const field of SCALAR_FIELDS) {
    const next = values[field];
    if (isEmpty(next)) continue;
    const now = current[field];
    if (policy === 'fill' ? isEmpty(now) : now !== next) set[field] = next;
  }
  for (const field of LIST_FIELDS) {
    const now = asStrings(current[field]);
    const added = (values[field] as string[]).filter((v) => !now.includes(v) && !(field === 'emails' && v === current.email));
    if (added.length) set[field] = [...now, ...added];
  }
  return { set, changes: Object.keys(set) as ImportedField[] };
}

/** Folds a later row with the same address into the first one, by the same policy. */
export function mergeRowValues(first: RowValues, later: RowValues, policy: ImportPolicy): RowValues {
  const { set } = diffFields(first as FieldValues & { email: string }, later, policy);
  const consent = first.consent || later.consent ? { ...later.consent, ...first.consent } : undefined;
  return { ...first, ...(set as Partial<RowValues>), consent };
}

export function planLine(row: ParsedRow & { values: RowValues }, existing: ExistingContact | undefined, policy: ImportPolicy): LinePlan {
  const base = { line: row.line, email: row.values.email, values: row.values, row };
  if (!existing) return { ...base, action: 'create' };
  const { set, changes } = diffFields(existing, row.values, policy);
  if (!changes.length) return { ...base, action: 'unchanged', contact: existing };
  return { ...base, action: 'update', contact: existing, set, changes };
}

/** The subset of a contact's fields an undo needs to put back. */
export function snapshot(contact: FieldValues, fields: readonly ImportedField[]): FieldValues {
  return Object.fromEntries(fields.map((field) => [field, contact[field] ?? null]));
}

/** Deep equality good enough for the imported fields (strings, ids, string arrays). */
export function sameValue(a: unknown, b: unknown): boolean {
  const norm = (v: unknown) => JSON.stringify(isEmpty(v) ? null : Array.isArray(v) ? v.map(String) : String(v));
  return norm(a) === norm(b);
}
