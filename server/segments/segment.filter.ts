import type { ContactFilter } from '../contacts/contact.schemas.js';
import { badRequest } from '../lib/errors.js';
import { Segment } from './segment.model.js';
import { segmentFilterSchema } from './segment.schemas.js';

/** The saved filter of a segment (re-validated: the vocabulary may have moved since). */
export async function segmentFilter(id: string, field = 'segment'): Promise<ContactFilter> {
  const segment = /^[a-f0-9]{24}$/i.test(id) ? await Segment.findById(id).lean() : undefined;
  if (!segment) throw badRequest(`Segment inconnu « ${id} ».`, field);
  return segmentFilterSchema.parse(segment.filter ?? {}) as ContactFilter;
}
