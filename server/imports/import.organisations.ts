import { Types } from 'mongoose';
import { normalizeText } from '../lib/normalize.js';
import { Organisation } from '../organisations/organisation.model.js';
import { getTerritory, territoryScope } from '../territories/territory.service.js';
import { ORGANISATION_TYPE_KEYWORDS, REASON_TEXTS } from './import.matching.js';

/**
 * Organisations named in a file. A name matching an existing organisation (accents, case,
 * "St"/"Saint" folded) is that organisation. Any other name is listed in the dry run with its
 * lines, a suggested type and territory, and either a new organisation (its id chosen now, so
 * the dry run and the commit agree) or a merge into an existing one with the same place name
 * ("Ville de X" = "Mairie de X") in the same département.
 */
export const ORGANISATION_ACTIONS = ['create', 'merge'] as const;
export type OrganisationDecision = { name: string; action: (typeof ORGANISATION_ACTIONS)[number]; target?: string; type?: string; territory?: string | null };

export type OrganisationReport = OrganisationDecision & {
  key: string;
  lines: number;
  /** The id the lines get: the new organisation's, or the merge target's. */
  id: string;
  typeReason: string;
  mergeSuggestion?: { id: string; name: string };
  source: 'staff' | 'preset' | 'suggestion';
  territoryVotes: Record<string, number>;
  territoryLabel?: string | null;
  typeVotes: Record<string, number>;
};

type Known = { id: string; name: string; core: string; scope: string[] };

/** The name as compared: folded, "St" → "Saint". */
export const organisationKey = (name: string) =>
  normalizeText(name)
    .replace(/\bst\b/g, 'saint')
    .replace(/\bste\b/g, 'sainte');

/** The place or proper part of a name: "Mairie de Saint-Denis" and "Ville de Saint-Denis" → "saint denis". */
const coreOf = (key: string) => key.replace(/^(mairie|ville|commune|municipalite|hotel de ville)( de| d| du| des)?\s+/, '').replace(/^(la|le|les|l)\s+/, '');

export class OrganisationMap {
  private readonly reports = new Map<string, OrganisationReport>();

  private constructor(
    private readonly known: Map<string, Known>,
    private readonly chosen: readonly OrganisationDecision[],
  ) {}

  static async load(chosen: readonly OrganisationDecision[]): Promise<OrganisationMap> {
    const all = await Organisation.find({}, { name: 1, territory: 1 }).lean();
    const known = new Map<string, Known>();
    for (const o of all) {
      const key = organisationKey(o.name);
      if (!known.has(key)) known.set(key, { id: String(o._id), name: o.name, core: coreOf(key), scope: territoryScope(o.territory ? [o.territory] : []) });
    }
    return new OrganisationMap(known, chosen);
  }

  /** The id for a name on a line (an existing organisation, or the decision's). */
  resolve(name: string, line: { territories: string[] }): string {
    const key = organisationKey(name);
    const existing = this.known.get(key);
    if (existing) return existing.id;
    let report = this.reports.get(key);
    if (!report) {
      report = this.decide(name, key, line.territories);
      this.reports.set(key, report);
    }
    return report.id;
  }

  /** Counts a valid line naming a new organisation: its territories and type vote for the organisation's. */
  count(name: string, line: { territories: string[]; type?: string }): void {
    const report = this.reports.get(organisationKey(name));
    if (!report) return;
    report.lines++;
    for (const territory of line.territories) report.territoryVotes[territory] = (report.territoryVotes[territory] ?? 0) + 1;
    if (line.type) report.typeVotes[line.type] = (report.typeVotes[line.type] ?? 0) + 1;
  }

  /** The new organisations and merges met on valid lines, with their final type and territory. */
  list(): OrganisationReport[] {
    return [...this.reports.values()]
      .filter((r) => r.lines > 0)
      .map((r) => this.settle(r))
      .sort((a, b) => b.lines - a.lines || a.key.localeCompare(b.key));
  }

  private decide(name: string, key: string, territories: string[]): OrganisationReport {
    const staff = this.chosen.find((d) => organisationKey(d.name) === key);
    const mergeWith = this.mergeCandidate(key, territories);
    const base = { name, key, lines: 0, territoryVotes: {}, typeVotes: {}, typeReason: '', ...(mergeWith ? { mergeSuggestion: { id: mergeWith.id, name: mergeWith.name } } : {}) };
    if (staff?.action === 'merge' && staff.target) return { ...base, ...staff, name, id: staff.target, source: 'staff' };
    if (staff) return { ...base, ...staff, name, action: 'create', id: staff.target ?? String(new Types.ObjectId()), source: 'staff' };
    if (mergeWith) return { ...base, action: 'merge', target: mergeWith.id, id: mergeWith.id, source: 'suggestion' };
    return { ...base, action: 'create', id: String(new Types.ObjectId()), source: 'suggestion' };
  }

  private mergeCandidate(key: string, territories: string[]): Known | undefined {
    const core = coreOf(key);
    if (core === key && !/^(mairie|ville)/.test(key)) return undefined;
    const departements = territoryScope(territories).filter((t) => t.startsWith('departement-'));
    return [...this.known.values()].find((k) => {
      if (k.core !== core) return false;
      const theirs = k.scope.filter((t) => t.startsWith('departement-'));
      return !departements.length || !theirs.length || theirs.some((d) => departements.includes(d));
    });
  }

  /** Type and territory of a new organisation: staff's, else the lines' most frequent, else from its name. */
  private settle(report: OrganisationReport): OrganisationReport {
    if (report.action === 'merge') return { ...report, type: undefined, territory: undefined, typeReason: '' };
    const top = (votes: Record<string, number>) => Object.entries(votes).sort((a, b) => b[1] - a[1])[0]?.[0];
    let type = report.source === 'staff' ? report.type : undefined;
    let typeReason = type ? 'choisi' : '';
    if (!type && top(report.typeVotes)) [type, typeReason] = [top(report.typeVotes), 'colonne « type de structure »'];
    const keyword = ORGANISATION_TYPE_KEYWORDS.find(([pattern]) => pattern.test(report.key));
    if (!type && keyword) [type, typeReason] = [keyword[1], REASON_TEXTS.keyword];
    if (!type) [type, typeReason] = ['autre', 'aucun type reconnu'];
    const territory = report.source === 'staff' && report.territory !== undefined ? report.territory : (top(report.territoryVotes) ?? null);
    return { ...report, type, typeReason, territory, territoryLabel: territory ? (getTerritory(territory)?.label ?? territory) : null };
  }
}
