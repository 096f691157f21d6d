import { contactQuery } from '../contacts/contact.filter.js';
import { countContacts } from '../contacts/contact.store.js';
import type { ContactFilter } from '../contacts/contact.schemas.js';
import { badRequest, notFound } from '../lib/errors.js';
import { escapeRegExp } from '../lib/normalize.js';
import type { ListQuery } from '../lib/rest.js';
import type { Actor } from '../users/user.service.js';
import { segmentFilter } from './segment.filter.js';
import { Segment } from './segment.model.js';
import { type SegmentCreateInput, type SegmentUpdateInput } from './segment.schemas.js';

/** The Mongo filter of a segment's contacts: what a mailing or an export of the segment uses. */
export async function segmentContactQuery(segmentId: string): Promise<Record<string, unknown>> {
  return contactQuery(await segmentFilter(segmentId), 'segment');
}

export async function countSegment(segmentId: string): Promise<number> {
  return countContacts(await segmentContactQuery(segmentId));
}

export async function listSegments(query: ListQuery<{ q?: string; id?: string[] }>) {
  const where: Record<string, unknown> = {};
  if (query.filter.q) where.name = new RegExp(escapeRegExp(query.filter.q), 'i');
  if (query.filter.id) where._id = { $in: query.filter.id };
  const [segments, total] = await Promise.all([
    Segment.find(where).sort({ [query.sort.field]: query.sort.order, _id: 1 }).skip(query.skip).limit(query.limit),
    Segment.countDocuments(where),
  ]);
  // each segment's live count (from the contact index: a page of segments costs milliseconds)
  const items = await Promise.all(segments.map(async (s) => ({ ...s.toJSON(), count: await countSegment(String(s._id)).catch(() => null) })));
  return { items, total };
}

export async function getSegment(id: string) {
  const segment = await Segment.findById(id);
  if (!segment) throw notFound('Segment');
  return segment;
}

/** The segment with its live count. */
export async function getSegmentWithCount(id: string) {
  const segment = await getSegment(id);
  return { ...segment.toJSON(), count: await countSegment(id) };
}

export async function createSegment(input: SegmentCreateInput, actor?: Actor) {
  await contactQuery(input.filter as ContactFilter); // rejects unknown codes, naming filter.<criterion>
  return Segment.create({ ...input, createdBy: actor?.id, updatedBy: actor?.id });
}

export async function updateSegment(id: string, input: SegmentUpdateInput, actor?: Actor) {
  const segment = await getSegment(id);
  if (input.filter) {
    if (input.filter.segment === id) throw badRequest('Un segment ne peut pas se contenir lui-même.', 'filter.segment');
    await contactQuery(input.filter as ContactFilter);
    segment.set('filter', input.filter);
  }
  if (input.name !== undefined) segment.name = input.name;
  if (input.description !== undefined) segment.description = input.description;
  segment.set('updatedBy', actor?.id);
  return segment.save();
}

export async function deleteSegment(id: string) {
  const segment = await getSegment(id);
  await segment.deleteOne();
  return segment;
}
