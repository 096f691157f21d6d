import { badRequest, notFound } from '../lib/errors.js';
import { normalizeText } from '../lib/normalize.js';
import { loadGeography, TERRITORY_KINDS, type Territory, type TerritoryKind } from './territory.data.js';

export type { Territory, TerritoryKind };

export function getTerritory(id: string): Territory | undefined {
  return loadGeography().byId.get(id);
}

export function requireTerritory(id: string): Territory {
  const territory = getTerritory(id);
  if (!territory) throw notFound('Territoire');
  return territory;
}

/** The given ids plus all their ancestors (commune → EPCI, département, région, outre-mer). */
export function territoryScope(ids: readonly string[]): string[] {
  const scope = new Set<string>();
  for (const id of ids) {
    scope.add(id);
    for (const ancestor of getTerritory(id)?.ancestors ?? []) scope.add(ancestor);
  }
  return [...scope];
}

/** Rejects unknown territory ids, naming the field. */
export function assertTerritories(ids: readonly string[], field: string): void {
  const unknown = ids.find((id) => !getTerritory(id));
  if (unknown !== undefined) throw badRequest(`Territoire inconnu « ${unknown} » pour le champ « ${field} ».`, field);
}

const KIND_RANK: Record<TerritoryKind, number> = { qualite: 0, region: 1, departement: 2, epci: 3, commune: 4 };

function byRelevance(a: { rank: number; t: Territory }, b: { rank: number; t: Territory }): number {
  return a.rank - b.rank || KIND_RANK[a.t.kind] - KIND_RANK[b.t.kind] || (b.t.population ?? 0) - (a.t.population ?? 0) || a.t.name.localeCompare(b.t.name, 'fr');
}

/**
 * Every territory matching `q` by name (accent- and case-insensitive), code or postal code,
 * the most relevant first: exact code or postal code, exact name, name prefix, word prefix, substring.
 */
export function matchTerritories(q: string, kinds?: readonly TerritoryKind[]): Territory[] {
  const geo = loadGeography();
  const needle = normalizeText(q);
  const raw = q.trim().toUpperCase();
  if (!needle) return geo.all.filter((t) => !kinds || kinds.includes(t.kind));
  const hits: { rank: number; t: Territory }[] = [];
  geo.all.forEach((t, i) => {
    if (kinds && !kinds.includes(t.kind)) return;
    const name = geo.searchNames[i];
    let rank: number | undefined;
    // "93" is first the département, then the région PACA (code 93).
    if (t.id === q.trim() || t.postalCodes?.includes(raw)) rank = 0;
    else if (t.code === raw) rank = t.kind === 'region' ? 0.5 : 0;
    else if (name === needle) rank = 1;
    else if (name.startsWith(needle)) rank = 2;
    else if (name.includes(` ${needle}`)) rank = 3;
    else if (name.includes(needle) || t.code.startsWith(raw) || t.postalCodes?.some((cp) => cp.startsWith(raw))) rank = 4;
    if (rank !== undefined) hits.push({ rank, t });
  });
  return hits.sort(byRelevance).map((h) => h.t);
}

export function searchTerritories(q: string, limit = 20): Territory[] {
  return matchTerritories(q).slice(0, limit);
}

export type TerritoryFilter = { q?: string; kind?: TerritoryKind | TerritoryKind[]; id?: string[] };

export function listTerritories(filter: TerritoryFilter, skip: number, limit: number, byName?: 1 | -1): { items: Territory[]; total: number } {
  let found: Territory[];
  if (filter.id) {
    found = filter.id.map(getTerritory).filter((t): t is Territory => Boolean(t));
  } else {
    const kinds = filter.kind === undefined ? undefined : Array.isArray(filter.kind) ? filter.kind : [filter.kind];
    found = matchTerritories(filter.q ?? '', kinds);
  }
  if (byName) found = [...found].sort((a, b) => byName * a.name.localeCompare(b.name, 'fr'));
  return { items: found.slice(skip, skip + limit), total: found.length };
}

const QUALITY_WORDS: Record<string, string> = {
  qpv: 'qualite-qpv',
  'quartier prioritaire': 'qualite-qpv',
  'quartiers prioritaires': 'qualite-qpv',
  'quartier prioritaire de la politique de la ville': 'qualite-qpv',
  rural: 'qualite-rural',
  ruralite: 'qualite-rural',
  'territoire rural': 'qualite-rural',
  'outre mer': 'qualite-outre-mer',
  'outre mer dom tom': 'qualite-outre-mer',
  'dom tom': 'qualite-outre-mer',
};

/**
 * What an imported cell or a typed label names: an id ("commune-93066"), a département code
 * ("93", "2A"), a postal code ("93200") or INSEE code, an EPCI SIREN, a name
 * ("Seine-Saint-Denis", "auvergne rhone alpes"), "Name (93)", or a quality ("QPV").
 * Undefined when nothing matches.
 */
export function resolveTerritoryLabel(text: string): Territory | undefined {
  const value = text.trim();
  if (!value) return undefined;
  const geo = loadGeography();
  const direct = geo.byId.get(value);
  if (direct) return direct;
  const upper = value.toUpperCase();
  if (/^(\d{2,3}|2[AB])$/.test(upper)) return geo.byId.get(`departement-${upper.padStart(2, '0')}`) ?? geo.byId.get(`region-${upper}`);
  if (/^\d{5}$/.test(value)) return mostPopulous(geo.byPostalCode.get(value)) ?? geo.byId.get(`commune-${value}`);
  if (/^[0-9][0-9AB]\d{3}$/.test(upper)) return geo.byId.get(`commune-${upper}`);
  if (/^\d{9}$/.test(value)) return geo.byId.get(`epci-${value}`);
  const withDepartement = /^(.*?)\s*\(\s*(\d{2,3}|2[AB])\s*\)$/i.exec(value);
  if (withDepartement) {
    const departement = `departement-${withDepartement[2].toUpperCase()}`;
    const named = geo.byName.get(normalizeText(withDepartement[1])) ?? [];
    return mostPopulous(named.filter((t) => t.id === departement || t.parents.includes(departement)));
  }
  const name = normalizeText(value);
  if (QUALITY_WORDS[name]) return geo.byId.get(QUALITY_WORDS[name]);
  const named = geo.byName.get(name) ?? [];
  for (const kind of TERRITORY_KINDS) {
    const match = mostPopulous(named.filter((t) => t.kind === kind));
    if (match) return match;
  }
  return undefined;
}

function mostPopulous(territories: Territory[] | undefined): Territory | undefined {
  if (!territories?.length) return undefined;
  return [...territories].sort((a, b) => (b.population ?? 0) - (a.population ?? 0))[0];
}

/** What a spreadsheet line names: one territory, or several candidates it cannot choose between. */
export type LineTerritory = { territory: Territory } | { candidates: Territory[] };

/**
 * The territories one line names, each label read with the line's other labels as hints: a
 * commune name borne by several communes is the one whose postal code, département or INSEE
 * code the line also gives ("Saint-Denis" + "93200" → Saint-Denis (93)); with no such hint it
 * stays ambiguous (the candidates are returned, nothing is chosen). A postal code or INSEE code
 * that served as a hint is not tagged again; one shared by several communes is ambiguous too.
 */
export function resolveLineTerritories(labels: readonly string[]): Map<string, LineTerritory | undefined> {
  const geo = loadGeography();
  const codes = labels.map((label) => label.trim().toUpperCase());
  const postalCodes = codes.filter((c) => /^\d{5}$/.test(c));
  const departements = codes.filter((c) => /^(\d{2,3}|2[AB])$/.test(c)).map((c) => `departement-${c.padStart(2, '0')}`);
  const communes = codes.filter((c) => /^[0-9][0-9AB]\d{3}$/.test(c)).map((c) => `commune-${c}`);
  const fits = (t: Territory) => t.postalCodes?.some((cp) => postalCodes.includes(cp)) || t.parents.some((p) => departements.includes(p)) || communes.includes(t.id);
  const answers = new Map<string, LineTerritory | undefined>();
  const usedAsHint = new Set<string>();
  for (const label of labels) {
    if (/^[\d\s]+$|^2[AB]\d{3}$/i.test(label.trim())) continue; // codes: after the names
    const named = communesNamed(label);
    if (named.length <= 1) {
      const territory = named[0] ?? resolveTerritoryLabel(label);
      answers.set(label, territory ? { territory } : undefined);
      continue;
    }
    const hinted = named.filter(fits);
    answers.set(label, hinted.length === 1 ? { territory: hinted[0] } : { candidates: hinted.length ? hinted : named });
    if (hinted.length === 1) for (const cp of [...(hinted[0].postalCodes ?? []), hinted[0].code]) usedAsHint.add(cp);
  }
  for (const label of labels) {
    const code = label.trim().toUpperCase();
    if (answers.has(label) || !/^[\d\s]+$|^2[AB]\d{3}$/i.test(label.trim())) continue;
    if (usedAsHint.has(code)) continue;
    const sharing = /^\d{5}$/.test(code) ? (geo.byPostalCode.get(code) ?? []) : [];
    if (sharing.length > 1) answers.set(label, { candidates: sharing });
    else {
      const territory = resolveTerritoryLabel(label);
      answers.set(label, territory ? { territory } : undefined);
    }
  }
  return answers;
}

/** The communes a plain name (not a code, not "Name (93)") may be, when no larger territory bears it. */
function communesNamed(label: string): Territory[] {
  const value = label.trim();
  if (/\(\s*(\d{2,3}|2[AB])\s*\)$/i.test(value) || /^[a-z]+-[0-9A-Za-z-]+$/.test(value)) return [];
  const named = loadGeography().byName.get(normalizeText(value)) ?? [];
  if (named.some((t) => t.kind !== 'commune')) return [];
  return named;
}
