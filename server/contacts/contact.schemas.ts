import { z } from 'zod';
import { objectId } from '../lib/rest.js';
import { territoryId } from '../territories/territory.schemas.js';
import { CIVILITIES } from './contact.civilities.js';

const code = z.string().regex(/^[a-z0-9-]+$/, 'code invalide').max(60);
const email = z.string().trim().max(320).pipe(z.email('adresse e-mail invalide'));
const text = (max: number) => z.string().trim().max(max, `${max} caractères au plus`);

const contactFields = {
  civility: z.enum(CIVILITIES, 'civilité inconnue').nullable().optional(),
  firstName: text(100).optional(),
  lastName: text(100).optional(),
  email,
  emails: z.array(email).max(20).optional(),
  phones: z.array(z.string().trim().regex(/^[0-9+ ().\-]{4,30}$/, 'numéro de téléphone invalide')).max(10).optional(),
  function: code.nullable().optional(),
  functionLabel: text(200).optional(),
  organisations: z.array(objectId).max(20).optional(),
  dispositifs: z.array(code).max(20).optional(),
  themes: z.array(objectId).max(100).optional(),
  territories: z.array(territoryId).max(100).optional(),
  notes: text(10_000).optional(),
  unresolvedLabels: z.array(text(300)).max(100).optional(),
  source: text(100).optional(),
};

/** Fields the API returns and react-admin sends back on update: accepted and ignored. */
const readOnly = Object.fromEntries(
  ['id', '_id', 'createdAt', 'updatedAt', 'createdBy', 'updatedBy', 'searchText', 'searchTokens', 'territoryScope', 'organisationTypes', 'sortName', 'erasedAt'].map(
    (field) => [field, z.unknown().optional()],
  ),
);

export const contactCreateBody = z.strictObject(contactFields);
export const contactUpdateBody = z.strictObject({ ...contactFields, email: email.optional(), ...readOnly });
export const mergeBody = z.strictObject({ source: objectId });

/** The contact filter vocabulary (API.md), shared by the list, segments and exports. */
export const contactFilterFields = {
  q: z.string().max(200).optional(),
  themes: z.array(objectId).max(100).optional(),
  themesMode: z.enum(['any', 'all'], 'mode inconnu (any ou all)').optional(),
  territories: z.array(territoryId).max(200).optional(),
  organisationTypes: z.array(code).max(50).optional(),
  organisations: z.array(objectId).max(200).optional(),
  functions: z.array(code).max(50).optional(),
  dispositifs: z.array(code).max(20).optional(),
  lists: z.array(objectId).max(20).optional(),
  subscriptionStatus: z.array(z.enum(['pending', 'subscribed', 'unsubscribed', 'rejected', 'bounced'], 'état inconnu')).max(5).optional(),
  membership: z.array(z.enum(['a-jour', 'en-retard', 'ancien-membre', 'non-membre'], 'état d’adhésion inconnu')).max(4).optional(),
  segment: objectId.optional(),
  /** Registered to one of these events (rencontres); `eventAttendance: "present"` keeps those who came. */
  events: z.array(objectId).max(20).optional(),
  eventAttendance: z.enum(['registered', 'present'], 'présence inconnue (registered ou present)').optional(),
  id: z.array(objectId).max(1000).optional(),
};
export const contactFilter = z.strictObject(contactFilterFields);

export type ContactCreateInput = z.infer<typeof contactCreateBody>;
export type ContactUpdateInput = z.infer<typeof contactUpdateBody>;
export type ContactFilter = z.infer<typeof contactFilter>;
