import { z } from 'zod';
import { objectId } from '../lib/rest.js';
import { territoryId } from '../territories/territory.schemas.js';

const code = z.string().regex(/^[a-z0-9-]+$/, 'code invalide').max(60);

const organisationFields = {
  name: z.string().trim().min(1, 'obligatoire').max(300),
  type: code,
  territory: territoryId.nullable().optional(),
  website: z.union([z.url('adresse web invalide').max(500), z.literal('')]).optional(),
  siren: z.union([z.string().trim().regex(/^\d{9}$/, 'SIREN à 9 chiffres'), z.literal('')]).optional(),
  notes: z.string().max(10_000).optional(),
};
const readOnly = Object.fromEntries(
  ['id', '_id', 'createdAt', 'updatedAt', 'createdBy', 'updatedBy', 'searchText', 'territoryScope'].map((f) => [f, z.unknown().optional()]),
);

export const organisationCreateBody = z.strictObject(organisationFields);
export const organisationUpdateBody = z.strictObject({ ...organisationFields, name: organisationFields.name.optional(), type: code.optional(), ...readOnly });
export const organisationFilter = z.strictObject({
  q: z.string().max(200).optional(),
  type: z.union([code, z.array(code).max(50)]).optional(),
  territories: z.array(territoryId).max(200).optional(),
  id: z.array(objectId).max(1000).optional(),
});

export type OrganisationCreateInput = z.infer<typeof organisationCreateBody>;
export type OrganisationUpdateInput = z.infer<typeof organisationUpdateBody>;
export type OrganisationFilter = z.infer<typeof organisationFilter>;
