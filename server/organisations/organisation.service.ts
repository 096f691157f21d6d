import { badRequest, notFound } from '../lib/errors.js';
import { escapeRegExp, normalizeText } from '../lib/normalize.js';
import type { ListQuery } from '../lib/rest.js';
import { diffFields, recordHistory } from '../history/history.service.js';
import { assertTerritories, territoryScope } from '../territories/territory.service.js';
import type { Actor } from '../users/user.service.js';
import { assertCodes } from '../vocabularies/vocabulary.service.js';
import { Organisation } from './organisation.model.js';
import type { OrganisationCreateInput, OrganisationFilter, OrganisationUpdateInput } from './organisation.schemas.js';

const HISTORY_FIELDS = ['name', 'type', 'territory', 'website', 'siren', 'notes'] as const;
/** Contacts keep copies of these (search words, organisation types): a change re-derives them. */
export const FIELDS_COPIED_TO_CONTACTS = ['name', 'type'] as const;

function derive(input: { name?: string | null; siren?: string | null; territory?: string | null }) {
  return {
    searchText: normalizeText(`${input.name ?? ''} ${input.siren ?? ''}`),
    territoryScope: input.territory ? territoryScope([input.territory]) : [],
  };
}

async function validate(input: Partial<OrganisationCreateInput>): Promise<void> {
  if (input.type) await assertCodes('organisationTypes', [input.type], 'type');
  if (input.territory) assertTerritories([input.territory], 'territory');
}

export async function listOrganisations(query: ListQuery<OrganisationFilter>) {
  const where: Record<string, unknown> = {};
  const words = normalizeText(query.filter.q ?? '').split(' ').filter(Boolean);
  if (words.length) where.$and = words.map((w) => ({ searchText: new RegExp(`(^| )${escapeRegExp(w)}`) }));
  if (query.filter.type) where.type = { $in: [query.filter.type].flat() };
  if (query.filter.territories) where.territoryScope = { $in: query.filter.territories };
  if (query.filter.id) where._id = { $in: query.filter.id };
  const [items, total] = await Promise.all([
    Organisation.find(where).sort({ [query.sort.field]: query.sort.order, _id: 1 }).skip(query.skip).limit(query.limit),
    Organisation.countDocuments(where),
  ]);
  return { items, total };
}

export async function getOrganisation(id: string) {
  const organisation = await Organisation.findById(id);
  if (!organisation) throw notFound('Organisation');
  return organisation;
}

export async function createOrganisation(input: OrganisationCreateInput, actor?: Actor) {
  await validate(input);
  const organisation = await Organisation.create({ ...input, ...derive(input), createdBy: actor?.id, updatedBy: actor?.id });
  await recordHistory({
    resource: 'organisations',
    record: organisation._id,
    action: 'create',
    actor,
    changes: diffFields({}, organisation.toObject(), HISTORY_FIELDS),
  });
  return organisation;
}

export async function updateOrganisation(id: string, input: OrganisationUpdateInput, actor?: Actor) {
  const organisation = await getOrganisation(id);
  const changes = Object.fromEntries(HISTORY_FIELDS.filter((f) => input[f] !== undefined).map((f) => [f, input[f]]));
  await validate(changes);
  const before = organisation.toObject();
  organisation.set({ ...changes, updatedBy: actor?.id });
  organisation.set(derive(organisation));
  await organisation.save();
  const diff = diffFields(before, organisation.toObject(), HISTORY_FIELDS);
  if (diff.length) await recordHistory({ resource: 'organisations', record: organisation._id, action: 'update', actor, changes: diff });
  return organisation;
}

/** Deleting an organisation: its contacts are then detached by the caller (`refreshContactsOfOrganisation`). */
export async function deleteOrganisation(id: string, actor?: Actor) {
  const organisation = await getOrganisation(id);
  await organisation.deleteOne();
  await recordHistory({
    resource: 'organisations',
    record: organisation._id,
    action: 'delete',
    actor,
    changes: diffFields(organisation.toObject(), {}, HISTORY_FIELDS),
  });
  return organisation;
}

/** Rejects unknown or malformed organisation ids, naming the field. */
export async function assertOrganisations(ids: readonly string[], field: string): Promise<void> {
  if (!ids.length) return;
  const known = new Set((await Organisation.find({ _id: { $in: ids } }, { _id: 1 }).lean()).map((o) => String(o._id)));
  const unknown = ids.find((id) => !known.has(id));
  if (unknown !== undefined) throw badRequest(`Organisation inconnue « ${unknown} » pour le champ « ${field} ».`, field);
}
