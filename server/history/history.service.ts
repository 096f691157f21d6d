import { Types } from 'mongoose';
import { withId } from '../lib/db.js';
import type { ListQuery } from '../lib/rest.js';
import type { Actor } from '../users/user.service.js';
import { History, type HistoryAction, type HistoryResource } from './history.model.js';

export type Change = { field: string; before: unknown; after: unknown };

/** Comparable form of a stored value (ObjectIds and dates as strings, arrays compared in order). */
function plain(value: unknown): unknown {
  if (value instanceof Types.ObjectId) return String(value);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object' && 'toObject' in value) return plain((value as { toObject(): unknown }).toObject());
  return value ?? null;
}

/** The fields whose value differs between two versions of a record. */
export function diffFields(before: Record<string, unknown>, after: Record<string, unknown>, fields: readonly string[]): Change[] {
  const changes: Change[] = [];
  for (const field of fields) {
    const a = plain(before[field]);
    const b = plain(after[field]);
    const empty = (v: unknown) => v === null || v === '' || (Array.isArray(v) && !v.length);
    if (empty(a) && empty(b)) continue;
    if (JSON.stringify(a) !== JSON.stringify(b)) changes.push({ field, before: a, after: b });
  }
  return changes;
}

export async function recordHistory(entry: {
  resource: HistoryResource;
  record: Types.ObjectId | string;
  action: HistoryAction;
  actor?: Actor;
  changes?: Change[];
  mergedFrom?: Types.ObjectId | string;
}): Promise<void> {
  await History.create({
    resource: entry.resource,
    record: entry.record,
    action: entry.action,
    actor: entry.actor?.id,
    actorName: entry.actor?.name ?? 'système',
    changes: entry.changes ?? [],
    mergedFrom: entry.mergedFrom,
  });
}

export async function historyOf(resource: HistoryResource, record: string) {
  const entries = await History.find({ resource, record }).sort({ at: -1, _id: -1 }).lean();
  return entries.map(withId);
}

export async function listHistory(query: ListQuery<{ resource?: HistoryResource; record?: string; action?: HistoryAction }>) {
  const where: Record<string, unknown> = {};
  if (query.filter.resource) where.resource = query.filter.resource;
  if (query.filter.record) where.record = query.filter.record;
  if (query.filter.action) where.action = query.filter.action;
  const [items, total] = await Promise.all([
    History.find(where).sort({ [query.sort.field]: query.sort.order, _id: -1 }).skip(query.skip).limit(query.limit).lean(),
    History.countDocuments(where),
  ]);
  return { items: items.map(withId), total };
}

/** A merge keeps both histories: the absorbed record's entries move to the kept one. */
export async function moveHistory(resource: HistoryResource, from: Types.ObjectId, to: Types.ObjectId): Promise<void> {
  await History.updateMany({ resource, record: from }, { $set: { record: to, mergedFrom: from } });
}

/** RGPD erase: entries keep who/when/which field, but no value. */
export async function forgetHistoryValues(resource: HistoryResource, record: Types.ObjectId): Promise<void> {
  const entries = await History.find({ resource, $or: [{ record }, { mergedFrom: record }] });
  for (const entry of entries) {
    entry.set('changes', entry.changes.map((c) => ({ field: c.field, before: null, after: null })));
    await entry.save();
  }
}
