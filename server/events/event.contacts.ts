import { Types } from 'mongoose';
import { Registration } from './event.model.js';

/**
 * The contacts registered to these events (not cancelled, not erased), or only those marked
 * present: what the contact filter's `events` criterion and `contactIdsForEvent` resolve to.
 */
export async function registeredContactIds(events: readonly string[], options: { attended?: boolean } = {}): Promise<Types.ObjectId[]> {
  const where: Record<string, unknown> = { event: { $in: events.map((id) => new Types.ObjectId(id)) }, status: { $ne: 'cancelled' }, erasedAt: { $exists: false } };
  if (options.attended) where.attendance = 'present';
  const rows = await Registration.find(where, { contact: 1 }).lean();
  const unique = new Map(rows.map((r) => [String(r.contact), r.contact]));
  return [...unique.values()];
}
