import { badRequest, notFound } from '../lib/errors.js';
import type { ListQuery } from '../lib/rest.js';
import { escapeRegExp } from '../lib/normalize.js';
import { Subscription } from '../subscriptions/subscription.model.js';
import { frozenRows, StampedCache } from '../lib/stamped-cache.js';
import { List, LISTS_STAMP, type ListRecord } from './list.model.js';
import type { ListCreateInput, ListFilter, ListUpdateInput } from './list.schemas.js';

export async function listLists(query: ListQuery<ListFilter>) {
  const where: Record<string, unknown> = {};
  if (query.filter.q) where.name = new RegExp(escapeRegExp(query.filter.q), 'i');
  if (query.filter.public !== undefined) where.public = query.filter.public;
  if (query.filter.active !== undefined) where.active = query.filter.active;
  if (query.filter.code) where.code = query.filter.code;
  if (query.filter.id) where._id = { $in: query.filter.id };
  const [items, total] = await Promise.all([
    List.find(where).sort({ [query.sort.field]: query.sort.order, order: 1 }).skip(query.skip).limit(query.limit).lean(),
    List.countDocuments(where),
  ]);
  return { items: await withCounts(items), total };
}

/** Adds `subscribers` (confirmed subscriptions) to each list; one grouped count for the page. */
async function withCounts<T extends { _id: unknown }>(lists: T[]) {
  const counts = await Subscription.aggregate<{ _id: unknown; n: number }>([
    { $match: { list: { $in: lists.map((l) => l._id) }, status: 'subscribed' } },
    { $group: { _id: '$list', n: { $sum: 1 } } },
  ]);
  const byList = new Map(counts.map((c) => [String(c._id), c.n]));
  return lists.map(({ _id, ...rest }) => ({ ...rest, id: String(_id), subscribers: byList.get(String(_id)) ?? 0 }));
}

export async function getList(id: string) {
  const list = await List.findById(id).lean();
  if (!list) throw notFound('Liste');
  return (await withCounts([list]))[0];
}

/** A list by id or by code (the newsletter and scripts name lists by code). */
export async function resolveList(idOrCode: string) {
  const list = /^[a-f0-9]{24}$/i.test(idOrCode) ? await List.findById(idOrCode) : await List.findOne({ code: idOrCode });
  if (!list) throw badRequest(`Liste inconnue « ${idOrCode} ».`, 'list');
  return list;
}

export async function createList(input: ListCreateInput) {
  return List.create({ ...input, doubleOptIn: input.doubleOptIn ?? input.public ?? false });
}

export async function updateList(id: string, input: ListUpdateInput) {
  const list = await List.findByIdAndUpdate(id, { $set: input }, { returnDocument: 'after', runValidators: true });
  if (!list) throw notFound('Liste');
  return list;
}

/** Lists keep their subscriptions' consent proofs: a list is deactivated, never deleted. */
export async function deactivateList(id: string) {
  return updateList(id, { active: false });
}

const publicListsCache = new StampedCache<ReturnType<typeof frozenRows<ListRecord>>>(LISTS_STAMP);

/** The lists of the public forms, in their order; kept in memory until a list changes (a crowd costs no query). */
export async function publicLists() {
  return (await publicListsCache.get('public', async () => frozenRows(await List.find({ public: true, active: true }).sort({ order: 1 }).lean<ListRecord[]>())))!;
}

const listIdsCache = new StampedCache<ReadonlySet<string>>(LISTS_STAMP);

/** The ids of every list, active or not; kept in memory until a list changes (each page filtered by list asks). */
export async function allListIds(): Promise<ReadonlySet<string>> {
  return (await listIdsCache.get('ids', async () => new Set((await List.find({}, { _id: 1 }).lean()).map((list) => String(list._id)))))!;
}
