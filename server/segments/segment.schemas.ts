import { z } from 'zod';
import { contactFilterFields } from '../contacts/contact.schemas.js';
import { objectId } from '../lib/rest.js';

/** A segment's filter: the contact filter without `id` (a segment is a rule, not a pick list). */
export const segmentFilterSchema = z.strictObject({ ...contactFilterFields, id: z.never().optional() });

const fields = {
  name: z.string().trim().min(1, 'obligatoire').max(200),
  description: z.string().max(2000).optional(),
  filter: segmentFilterSchema,
};
const readOnly = Object.fromEntries(['id', '_id', 'createdAt', 'updatedAt', 'createdBy', 'updatedBy', 'count'].map((f) => [f, z.unknown().optional()]));

export const segmentCreateBody = z.strictObject(fields);
export const segmentUpdateBody = z.strictObject({ ...fields, name: fields.name.optional(), filter: segmentFilterSchema.optional(), ...readOnly });
export const segmentListFilter = z.strictObject({ q: z.string().max(200).optional(), id: z.array(objectId).max(1000).optional() });

export type SegmentCreateInput = z.infer<typeof segmentCreateBody>;
export type SegmentUpdateInput = z.infer<typeof segmentUpdateBody>;
