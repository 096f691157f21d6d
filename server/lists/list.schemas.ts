import { z } from 'zod';
import { objectId } from '../lib/rest.js';
import { LEGAL_BASES } from './list.model.js';

const fields = {
  code: z.string().regex(/^[a-z0-9-]+$/, 'minuscules, chiffres et tirets uniquement').max(60),
  name: z.string().trim().min(1, 'obligatoire').max(200),
  description: z.string().trim().max(2000).optional(),
  public: z.boolean().optional(),
  doubleOptIn: z.boolean().optional(),
  legalBasis: z.enum(LEGAL_BASES, 'base légale inconnue').optional(),
  consentWording: z.string().trim().max(2000).optional(),
  order: z.number().int().optional(),
  active: z.boolean().optional(),
};

export const listCreateBody = z.strictObject(fields);
/** react-admin sends the whole record back: read-only fields are accepted and ignored; the code is fixed. */
const readOnly = { id: z.unknown(), _id: z.unknown(), code: z.unknown(), createdAt: z.unknown(), updatedAt: z.unknown(), subscribers: z.unknown() };
export const listUpdateBody = z
  .strictObject({ ...z.strictObject(fields).partial().shape, ...readOnly })
  .partial()
  .transform(({ id: _i, _id, code: _c, createdAt: _ca, updatedAt: _u, subscribers: _s, ...rest }) => rest);
export const listFilter = z.strictObject({
  q: z.string().max(200).optional(),
  code: z.string().max(60).optional(),
  public: z.boolean().optional(),
  active: z.boolean().optional(),
  id: z.array(objectId).optional(),
});

export type ListCreateInput = z.infer<typeof listCreateBody>;
export type ListUpdateInput = z.infer<typeof listUpdateBody>;
export type ListFilter = z.infer<typeof listFilter>;
