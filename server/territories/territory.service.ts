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
