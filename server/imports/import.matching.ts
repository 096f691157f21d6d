import { normalizeText } from '../lib/normalize.js';

/**
 * Suggestions for the values staff's spreadsheets hold ("Coordinatrice ASV", "CLS/CLSM",
 * "Accès aux droits") against the entries of a managed list ("Coordonnateur·rice ASV",
 * "Accès aux droits et dématérialisation"). Words are compared after folding accents, case,
 * gender, inclusive and plural forms and the association's abbreviations; a suggestion always
 * says why, and is only ever applied after being shown in the dry run.
 */
export type CatalogEntry = { id: string; label: string; aliases?: string[] };
export type MatchReason = 'same' | 'form' | 'contained' | 'contains' | 'keyword' | 'combination' | 'learned';
export type Suggestion = { targets: string[]; labels: string[]; reason: MatchReason; why: string };

export const REASON_TEXTS: Record<MatchReason, string> = {
  same: 'même libellé',
  form: 'même mot (accents, genre, écriture inclusive ou pluriel)',
  contained: 'contenu dans le libellé',
  contains: 'le libellé figure dans la valeur',
  keyword: 'mot-clé reconnu',
  combination: 'plusieurs valeurs combinées',
  learned: 'choisi lors d’un import précédent',
};

const STOP_WORDS = new Set(['de', 'du', 'des', 'la', 'le', 'les', 'l', 'd', 'a', 'au', 'aux', 'en', 'et', 'pour', 'sur', 'un', 'une', 'dans', 'chez']);

/** Words staff abbreviate or spell two ways, to one form. */
const WORD_SYNONYMS: Record<string, string> = {
  coordo: 'coordonnateur',
  coord: 'coordonnateur',
  coordinateur: 'coordonnateur',
  referent: 'coordonnateur',
  st: 'saint',
  ste: 'sainte',
  cm: 'charge',
  elue: 'elu',
};

/** Phrases meaning one managed word ("Adjointe au maire" is an elected official). */
const PHRASE_SYNONYMS: [RegExp, string][] = [
  [/\badjoint(e)? (au|a la) maire\b/g, 'elu'],
  [/\bconseill(er|ere) (municipal|municipale|communautaire|departemental|departementale|regional|regionale)e?s?\b/g, 'elu'],
  [/\bvice president(e)?\b/g, 'elu'],
  [/\bmaire\b/g, 'elu'],
  [/\bcharge(e)? de projets?\b/g, 'charge projet'],
];

/** Feminine and plural endings to the masculine singular: coordinatrice → coordinateur, chargées → charge. */
function wordForm(word: string): string {
  let w = word;
  if (w.length > 3 && /[sx]$/.test(w) && !/(ss|us)$/.test(w)) w = w.slice(0, -1);
  const rules: [RegExp, string][] = [
    [/trice$/, 'teur'],
    [/euse$/, 'eur'],
    [/iere$/, 'ier'],
    [/ienne$/, 'ien'],
    [/ffe$/, 'f'],
    [/ee$/, 'e'],
    [/ale$/, 'al'],
    [/ante$/, 'ant'],
    [/ue$/, 'u'],
  ];
  for (const [pattern, replacement] of rules) if (pattern.test(w) && w.length > 4) return WORD_SYNONYMS[w.replace(pattern, replacement)] ?? w.replace(pattern, replacement);
  return WORD_SYNONYMS[w] ?? w;
}

/** The words of a label as they are compared: inclusive suffixes dropped, folded, stop words out. */
export function wordsOf(label: string): string[] {
  const plain = label
    .replace(/[·.•]\s?(e|es|rice|rices|se|ses|fe|fes|ne|nes|le|les|ère|ere|ive|euse)\b/giu, '') // Coordonnateur·rice, Élu.e
    .replace(/\((e|es|rice|se|fe|ne)\)/gi, '') // Chargé(e)
    .replace(/\([^)]*\)/g, ' '); // the acronym in parentheses is an alias of its own
  let text = normalizeText(plain).replace(/\./g, ' ');
  for (const [pattern, replacement] of PHRASE_SYNONYMS) text = text.replace(pattern, replacement);
  return text
    .split(' ')
    .filter((w) => w && !STOP_WORDS.has(w))
    .map(wordForm);
}

/** Two words are one when equal, or when a long one starts with the other (environnemental ~ environnement). */
function sameWord(a: string, b: string): boolean {
  if (a === b) return true;
  const [short, long] = a.length < b.length ? [a, b] : [b, a];
  return short.length >= 6 && long.startsWith(short);
}

const includesAll = (outer: string[], inner: string[]) => inner.every((w) => outer.some((o) => sameWord(o, w)));

/** Every way an entry is named: its label (compared word by word), and exactly: its code, aliases, the acronym in parentheses. */
function namesOf(entry: CatalogEntry): { name: string; exactOnly: boolean }[] {
  const acronym = /\(([^)]+)\)\s*$/.exec(entry.label)?.[1];
  return [{ name: entry.label, exactOnly: false }, ...[entry.id, ...(acronym ? [acronym] : []), ...(entry.aliases ?? [])].map((name) => ({ name, exactOnly: true }))];
}

type Candidate = { entry: CatalogEntry; reason: MatchReason; weight: number };

/** The best entry for one value, or none; ties between different entries give none (no guessing). */
function bestEntry(value: string, entries: readonly CatalogEntry[]): Candidate | undefined {
  const folded = normalizeText(value);
  const words = wordsOf(value);
  if (!words.length) return undefined;
  const candidates: Candidate[] = [];
  for (const entry of entries) {
    let best: Candidate | undefined;
    for (const { name, exactOnly } of namesOf(entry)) {
      const nameWords = wordsOf(name);
      if (!nameWords.length) continue;
      let found: Candidate | undefined;
      if (normalizeText(name) === folded) found = { entry, reason: 'same', weight: 100 };
      else if (exactOnly) continue;
      else if (includesAll(words, nameWords) && includesAll(nameWords, words)) found = { entry, reason: 'form', weight: 90 };
      else if (includesAll(nameWords, words)) found = { entry, reason: 'contained', weight: 50 + words.length - nameWords.length / 10 };
      else if (includesAll(words, nameWords)) found = { entry, reason: 'contains', weight: 40 + nameWords.length };
      if (found && (!best || found.weight > best.weight)) best = found;
    }
    if (best) candidates.push(best);
  }
  candidates.sort((a, b) => b.weight - a.weight);
  if (!candidates.length) return undefined;
  if (candidates[1] && candidates[1].weight === candidates[0].weight) return undefined;
  return candidates[0];
}

/**
 * The suggestion for one distinct value: one entry, or several for a combination
 * ("CLS/CLSM", "ASV / CLS", "Coordonnatrice CLS/CLSM": the words before the last one are
 * shared by each part). Keywords (e.g. "Mairie" for a commune) come after the entries' own names.
 */
export function suggestValue(value: string, entries: readonly CatalogEntry[], keywords: readonly [RegExp, string][] = []): Suggestion | undefined {
  const byId = new Map(entries.map((e) => [e.id, e]));
  const single = bestEntry(value, entries);
  if (single && single.reason !== 'contains') return suggestion([single.entry], single.reason);
  const parts = value.split(/\s*(?:\/|\+|&|\bet\b)\s*/i).filter((p) => p.trim());
  if (parts.length > 1) {
    const lead = parts[0].trim().split(/\s+/).slice(0, -1).join(' ');
    const found = parts.map((part, i) => bestEntry(part, entries) ?? (i > 0 && lead ? bestEntry(`${lead} ${part}`, entries) : undefined));
    if (found.every((c) => c && c.reason !== 'contains')) {
      const unique = [...new Map(found.map((c) => [c!.entry.id, c!.entry])).values()];
      if (unique.length > 1) return suggestion(unique, 'combination');
    }
  }
  if (single) return suggestion([single.entry], single.reason);
  const folded = normalizeText(value);
  const keyword = keywords.find(([pattern]) => pattern.test(folded));
  const entry = keyword && byId.get(keyword[1]);
  return entry ? suggestion([entry], 'keyword') : undefined;
}

function suggestion(entries: CatalogEntry[], reason: MatchReason): Suggestion {
  return { targets: entries.map((e) => e.id), labels: entries.map((e) => e.label), reason, why: REASON_TEXTS[reason] };
}

/** Words that tell an organisation's type from its name or from a "type de structure" cell. */
export const ORGANISATION_TYPE_KEYWORDS: [RegExp, string][] = [
  [/\b(communaute d agglomeration|communaute de communes|communaute urbaine|agglo|agglomeration|metropole|epci|intercommunalite|pays)\b/, 'epci'],
  [/\b(conseil departemental|departement)\b/, 'departement'],
  [/\b(conseil regional|region)\b/, 'region'],
  [/\b(mairie|ville|commune|ccas|cias|collectivite territoriale)\b/, 'commune'],
  [/\b(ars|agence regionale de sante)\b/, 'ars'],
  [/\b(cpam|assurance maladie|caf|msa)\b/, 'cpam'],
  [/\b(ireps|promotion sante|education pour la sante|codes)\b/, 'promotion-sante'],
  [/\b(chu|chru|ch|hopital|centre hospitalier|clinique|etablissement de sante|hospitalier|ehpad)\b/, 'etablissement-sante'],
  [/\b(universite|univ|laboratoire|inserm|cnrs|ehesp|recherche|ecole)\b/, 'universite-recherche'],
  [/\b(prefecture|ddets|dreets|etat|anct)\b/, 'etat'],
  [/\b(federation)\b/, 'federation'],
  [/\b(centre de ressources)\b/, 'centre-ressources-pv'],
  [/\b(association|asso)\b/, 'association-locale'],
];
