import { Types } from 'mongoose';
import { normalizeText } from '../lib/normalize.js';
import { List } from '../lists/list.model.js';
import { Theme } from '../themes/theme.model.js';
import { vocabularyOf } from '../vocabularies/vocabulary.service.js';
import { ORGANISATION_TYPE_KEYWORDS, REASON_TEXTS, suggestValue, type CatalogEntry, type MatchReason, type Suggestion } from './import.matching.js';

/**
 * The value-mapping step: each distinct value of a column fed by a managed list (function,
 * themes, dispositifs, organisation type) gets one decision — an existing entry (or several),
 * a new entry, free text kept on the contact, or ignored. Staff's choices come first, then
 * the preset's, then what staff chose in earlier imports, then the suggestion shown in the dry
 * run; a value nothing matches is kept as free text (a warning on its lines).
 */
export const VALUE_FIELDS = ['function', 'themes', 'dispositifs', 'organisationType', 'lists'] as const;
export type ValueField = (typeof VALUE_FIELDS)[number];
export const VALUE_ACTIONS = ['existing', 'create', 'text', 'ignore'] as const;
export type ValueAction = (typeof VALUE_ACTIONS)[number];

export const VALUE_FIELD_LABELS: Record<ValueField, string> = {
  function: 'Fonction',
  themes: 'Thématique',
  dispositifs: 'Dispositif',
  organisationType: 'Type de structure',
  lists: 'Liste',
};

/** One decision. `targets`: entry ids or codes; for `create`, the id or code the new entry will have. */
export type ValueDecision = {
  field: ValueField;
  value: string;
  action: ValueAction;
  targets?: string[];
  /** `create`: the new entry's label, and (themes) its parent theme's id. */
  label?: string;
  parent?: string | null;
};

/** What the dry run reports for one distinct value. */
export type ValueReport = ValueDecision & {
  key: string;
  lines: number;
  suggestion?: Suggestion;
  /** Where the decision comes from: staff, a preset, an earlier import, a suggestion or nothing found. */
  source: 'staff' | 'preset' | 'learned' | 'suggestion' | 'none';
  targetLabels: string[];
};

export const valueKey = (value: string) => normalizeText(value);

type Catalog = Record<ValueField, CatalogEntry[]>;
const KEYWORDS: Partial<Record<ValueField, [RegExp, string][]>> = { organisationType: ORGANISATION_TYPE_KEYWORDS };

export async function loadCatalog(): Promise<Catalog> {
  const [functions, dispositifs, organisationTypes, themes, lists] = await Promise.all([
    vocabularyOf('functions'),
    vocabularyOf('dispositifs'),
    vocabularyOf('organisationTypes'),
    Theme.find({}, { name: 1, code: 1 }).lean(),
    List.find({}, { name: 1, code: 1 }).lean(),
  ]);
  const vocabulary = (entries: ReadonlyArray<{ code: string; label: string }>) => entries.map((e) => ({ id: e.code, label: e.label }));
  return {
    function: vocabulary(functions),
    dispositifs: vocabulary(dispositifs),
    organisationType: vocabulary(organisationTypes),
    themes: themes.map((t) => ({ id: String(t._id), label: t.name, aliases: [t.code] })),
    lists: lists.map((l) => ({ id: String(l._id), label: l.name, aliases: [l.code] })),
  };
}

/**
 * The decisions of one run and the values met. `decide` is called once per distinct value
 * (remembered); `count` records each line a value appears on (the dry run's listing).
 */
export class ValueMap {
  private readonly decided = new Map<string, ValueReport>();
  /** The same decisions by the text as written: a value met again is not folded (accents, case) again at every line. */
  private readonly decidedAsWritten = new Map<string, ValueReport>();

  constructor(
    private readonly catalog: Catalog,
    private readonly chosen: readonly ValueDecision[],
    private readonly preset: readonly ValueDecision[] = [],
    private readonly learned: readonly ValueDecision[] = [],
  ) {}

  decide(field: ValueField, value: string): ValueReport {
    const asWritten = `${field}\u0000${value}`;
    const known = this.decidedAsWritten.get(asWritten);
    if (known) return known;
    const report = this.decideFolded(field, value);
    this.decidedAsWritten.set(asWritten, report);
    return report;
  }

  private decideFolded(field: ValueField, value: string): ValueReport {
    const key = valueKey(value);
    const id = `${field}:${key}`;
    let report = this.decided.get(id);
    if (!report) {
      report = this.build(field, value, key);
      this.decided.set(id, report);
    }
    return report;
  }

  /** Counts one line for a value (once per line, however many times the line names it). */
  count(report: ValueReport): void {
    report.lines++;
  }

  /** The distinct values met, most frequent first, for the dry run. */
  reports(): ValueReport[] {
    return [...this.decided.values()].filter((r) => r.lines > 0).sort((a, b) => a.field.localeCompare(b.field) || b.lines - a.lines || a.key.localeCompare(b.key));
  }

  /** Every entry the decisions would create and that lines use. */
  creations(): ValueReport[] {
    return this.reports().filter((r) => r.action === 'create');
  }

  labelOf(field: ValueField, id: string): string {
    return this.catalog[field].find((e) => e.id === id)?.label ?? id;
  }

  private build(field: ValueField, value: string, key: string): ValueReport {
    const find = (list: readonly ValueDecision[]) => list.find((d) => d.field === field && valueKey(d.value) === key && this.stillValid(d));
    const suggestion = this.suggest(field, value, key);
    const base = { field, value, key, lines: 0, suggestion };
    const staff = find(this.chosen);
    if (staff) return this.report(base, staff, 'staff');
    const preset = find(this.preset);
    if (preset) return this.report(base, preset, 'preset');
    if (suggestion) return this.report(base, { field, value, action: 'existing', targets: suggestion.targets }, suggestion.reason === 'learned' ? 'learned' : 'suggestion');
    return this.report(base, { field, value, action: 'text' }, 'none');
  }

  private suggest(field: ValueField, value: string, key: string): Suggestion | undefined {
    const learned = this.learned.find((d) => d.field === field && valueKey(d.value) === key && d.action === 'existing' && this.stillValid(d));
    if (learned?.targets?.length) {
      return { targets: learned.targets, labels: learned.targets.map((t) => this.labelOf(field, t)), reason: 'learned' as MatchReason, why: REASON_TEXTS.learned };
    }
    return suggestValue(value, this.catalog[field], KEYWORDS[field]);
  }

  /** A saved decision naming an entry deleted since is dropped. */
  private stillValid(decision: ValueDecision): boolean {
    if (decision.action !== 'existing') return true;
    return Boolean(decision.targets?.length) && decision.targets!.every((t) => this.catalog[decision.field].some((e) => e.id === t));
  }

  private report(base: Omit<ValueReport, 'action' | 'source' | 'targetLabels'>, decision: ValueDecision, source: ValueReport['source']): ValueReport {
    const targets = decision.action === 'create' ? [decision.targets?.[0] ?? newEntryId(base.field, decision.label ?? base.value, this.catalog)] : decision.targets;
    const label = decision.action === 'create' ? (decision.label ?? base.value).trim() : undefined;
    return {
      ...base,
      action: decision.action,
      ...(targets ? { targets } : {}),
      ...(label ? { label, parent: decision.parent ?? null } : {}),
      source,
      targetLabels: decision.action === 'create' ? [label!] : (targets ?? []).map((t) => this.labelOf(base.field, t)),
    };
  }
}

/** A code for a new entry: "Médecin généraliste" → "medecin-generaliste". */
export const codeOf = (label: string, fallback: string) =>
  normalizeText(label)
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 50) || fallback;

/** The id a new entry will have: an ObjectId for a theme, a free code for a vocabulary. */
function newEntryId(field: ValueField, label: string, catalog: Catalog): string {
  if (field === 'themes') return String(new Types.ObjectId());
  const base = codeOf(label, 'valeur');
  let code = base;
  for (let i = 2; catalog[field].some((e) => e.id === code); i++) code = `${base}-${i}`;
  return code;
}

/** Decisions as stored (on an import, a preset or the memory of earlier imports). */
export function storedDecisions(reports: readonly ValueReport[]): ValueDecision[] {
  return reports.map(({ field, value, action, targets, label, parent }) => ({ field, value, action, ...(targets ? { targets } : {}), ...(label ? { label, parent: parent ?? null } : {}) }));
}
