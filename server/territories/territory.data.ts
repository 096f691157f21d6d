import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { normalizeText } from '../lib/normalize.js';

/**
 * The official geography (INSEE COG, @etalab/decoupage-administratif 6.0.0) plus the
 * qualities staff tag by hand, kept in memory: loaded once, on first use. The package's
 * index.js reads ./data relative to the working directory and fails, so the JSON files are
 * read directly.
 */
export const TERRITORY_KINDS = ['region', 'departement', 'epci', 'commune', 'qualite'] as const;
export type TerritoryKind = (typeof TERRITORY_KINDS)[number];

export type Territory = {
  id: string;
  kind: TerritoryKind;
  code: string;
  name: string;
  /** "Saint-Denis (93)", "Seine-Saint-Denis (93)": what a list shows. */
  label: string;
  /** Direct parents (a commune: its EPCI(s) and département; a département: its région). */
  parents: string[];
  /** The ids of every ancestor, nearest first (qualities included, e.g. outre-mer). */
  ancestors: string[];
  postalCodes?: string[];
  population?: number;
};

export type Geography = {
  all: Territory[];
  byId: Map<string, Territory>;
  /** Normalised name → territories bearing it. */
  byName: Map<string, Territory[]>;
  byPostalCode: Map<string, Territory[]>;
  /** Normalised name of each territory, aligned with `all`, for substring search. */
  searchNames: string[];
};

export const QUALITIES = [
  { code: 'qpv', name: 'Quartier prioritaire de la politique de la ville (QPV)' },
  { code: 'rural', name: 'Territoire rural' },
  { code: 'outre-mer', name: 'Outre-mer' },
] as const;
export const OUTRE_MER_ID = 'qualite-outre-mer';

type RawRegion = { code: string; nom: string; zone: string };
type RawDepartement = RawRegion & { region: string };
type RawCommune = RawDepartement & { type: string; departement: string; codesPostaux?: string[]; population?: number };
type RawEpci = { code: string; nom: string; type: string; membres: { code: string }[]; populationTotale?: number };

const require = createRequire(import.meta.url);
const readData = <T>(name: string): T =>
  JSON.parse(readFileSync(require.resolve(`@etalab/decoupage-administratif/data/${name}.json`), 'utf8')) as T;

let geography: Geography | undefined;

export function loadGeography(): Geography {
  geography ??= buildGeography();
  return geography;
}

function buildGeography(): Geography {
  const regions = readData<RawRegion[]>('regions');
  const departements = readData<RawDepartement[]>('departements');
  const communes = readData<RawCommune[]>('communes').filter((c) => c.type === 'commune-actuelle');
  // EPT (Plaine Commune, ...) are kept with the EPCI: staff treat them alike.
  const epcis = [...readData<RawEpci[]>('epci'), ...readData<RawEpci[]>('ept')];

  const all: Territory[] = [];
  const byId = new Map<string, Territory>();
  const shared = listSharer();
  const add = (t: Omit<Territory, 'ancestors'>) => {
    // every field in one order: the 40,000 territories then share one shape (10 MB less than a spread)
    const { id, kind, code, name, label, parents, postalCodes, population } = t;
    const territory: Territory = { id, kind, code, name, label, parents: shared(parents.map((p) => byId.get(p)?.id ?? p)), ancestors: [], postalCodes, population };
    all.push(territory);
    byId.set(territory.id, territory);
    return territory;
  };
  const outreMer = (zone: string) => (zone === 'metro' ? [] : [OUTRE_MER_ID]);

  for (const q of QUALITIES) add({ id: `qualite-${q.code}`, kind: 'qualite', code: q.code, name: q.name, label: q.name, parents: [] });
  for (const r of regions) add({ id: `region-${r.code}`, kind: 'region', code: r.code, name: r.nom, label: r.nom, parents: outreMer(r.zone) });
  for (const d of departements) {
    const region = byId.has(`region-${d.region}`) ? [`region-${d.region}`] : [];
    add({ id: `departement-${d.code}`, kind: 'departement', code: d.code, name: d.nom, label: `${d.nom} (${d.code})`, parents: [...region, ...outreMer(d.zone)] });
  }
  const communeEpcis = new Map<string, string[]>();
  const communeDepartement = new Map(communes.map((c) => [c.code, c.departement]));
  for (const e of epcis) {
    const id = `epci-${e.code}`;
    for (const m of e.membres) communeEpcis.set(m.code, [...(communeEpcis.get(m.code) ?? []), id]);
    const departement = dominant(e.membres.map((m) => communeDepartement.get(m.code)).filter((d): d is string => Boolean(d)));
    add({
      id,
      kind: 'epci',
      code: e.code,
      name: e.nom,
      label: departement ? `${e.nom} (${departement})` : e.nom,
      parents: departement ? [`departement-${departement}`] : [],
      population: e.populationTotale,
    });
  }
  for (const c of communes) {
    add({
      id: `commune-${c.code}`,
      kind: 'commune',
      code: c.code,
      name: c.nom,
      label: `${c.nom} (${c.departement})`,
      parents: [...(communeEpcis.get(c.code) ?? []), `departement-${c.departement}`].filter((id) => byId.has(id)),
      postalCodes: c.codesPostaux ?? [],
      population: c.population,
    });
  }
  for (const t of all) t.ancestors = shared(ancestorsOf(t, byId));

  const byName = new Map<string, Territory[]>();
  const byPostalCode = new Map<string, Territory[]>();
  const searchNames = all.map((t) => normalizeText(t.name));
  all.forEach((t, i) => {
    byName.set(searchNames[i], [...(byName.get(searchNames[i]) ?? []), t]);
    for (const cp of t.postalCodes ?? []) byPostalCode.set(cp, [...(byPostalCode.get(cp) ?? []), t]);
  });
  return { all, byId, byName, byPostalCode, searchNames };
}

/**
 * One array for each distinct list of ids, exactly sized: the communes of one EPCI share their
 * parents and their ancestors (72,000 arrays become a few thousand: a quarter of the geography's memory).
 */
function listSharer(): (ids: string[]) => string[] {
  const lists = new Map<string, string[]>();
  return (ids) => {
    const key = ids.join(' ');
    let kept = lists.get(key);
    if (!kept) lists.set(key, (kept = ids.slice()));
    return kept;
  };
}

/**
 * A commune's EPCI are not followed upwards: an EPCI's département is only its main one
 * (the Métropole du Grand Paris spans six), the commune's own département is exact.
 */
function ancestorsOf(territory: Territory, byId: Map<string, Territory>): string[] {
  const seen = new Set<string>();
  const queue = [...territory.parents];
  while (queue.length) {
    const id = queue.shift()!;
    if (seen.has(id)) continue;
    seen.add(id);
    const parent = byId.get(id);
    if (parent && parent.kind !== 'epci') queue.push(...parent.parents);
  }
  return [...seen];
}

/** The most frequent value (an EPCI's département is where most of its communes are). */
function dominant(values: string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
}
