import { Types } from 'mongoose';
import { badRequest, notFound } from '../lib/errors.js';
import { escapeRegExp, normalizeText } from '../lib/normalize.js';
import type { ListQuery } from '../lib/rest.js';
import { assertTerritories } from '../territories/territory.service.js';
import { assertThemes } from '../themes/theme.service.js';
import { Vocabulary } from '../vocabularies/vocabulary.model.js';
import { News } from './news.model.js';
import type { NewsCreateInput, NewsFilter, NewsUpdateInput } from './news.schemas.js';

/** The news categories in the order staff set, each with its id. */
export async function newsCategories() {
  return Vocabulary.find({ kind: 'newsCategories' }).sort({ order: 1, _id: 1 }).lean();
}

/** A news category given by its id or its code; a 400 naming `field` otherwise. */
export async function resolveNewsCategory(value: string, field = 'category'): Promise<Types.ObjectId> {
  const byId = /^[a-f0-9]{24}$/i.test(value) ? { _id: value } : { code: value };
  const entry = await Vocabulary.findOne({ kind: 'newsCategories', ...byId }, { _id: 1 }).lean();
  if (!entry) throw badRequest(`Catégorie d'actualité inconnue « ${value} ».`, field);
  return entry._id;
}

export function newsSearchText(item: { title: string; summary?: string | null }): string {
  return normalizeText(`${item.title} ${item.summary ?? ''}`).slice(0, 2000);
}

async function checkReferences(input: { themes?: string[]; territories?: string[] }): Promise<void> {
  if (input.themes) await assertThemes(input.themes, 'themes');
  if (input.territories) assertTerritories(input.territories, 'territories');
}

export async function createNews(input: NewsCreateInput) {
  const category = await resolveNewsCategory(input.category);
  await checkReferences(input);
  const _id = new Types.ObjectId();
  return News.create({
    ...input,
    _id,
    category,
    publishedAt: input.publishedAt ?? new Date(),
    summary: input.summary ?? '',
    source: 'manual',
    guid: `maillage:${_id}`,
    searchText: newsSearchText(input),
  });
}

export async function updateNews(id: string, input: NewsUpdateInput) {
  const item = await News.findById(id);
  if (!item) throw notFound('Actualité');
  const { category, ...rest } = input;
  await checkReferences(rest);
  item.set(rest);
  if (category) item.category = await resolveNewsCategory(category);
  item.searchText = newsSearchText(item);
  return item.save();
}

export async function getNews(id: string) {
  const item = await News.findById(id);
  if (!item) throw notFound('Actualité');
  return item;
}

export async function deleteNews(id: string) {
  const item = await News.findByIdAndDelete(id);
  if (!item) throw notFound('Actualité');
  return item;
}

export async function newsWhere(filter: NewsFilter): Promise<Record<string, unknown>> {
  const where: Record<string, unknown> = {};
  if (filter.q) where.searchText = new RegExp(escapeRegExp(normalizeText(filter.q)));
  if (filter.category) where.category = await resolveNewsCategory(filter.category, 'filter.category');
  if (filter.themes?.length) where.themes = { $in: filter.themes.map((id) => new Types.ObjectId(id)) };
  if (filter.territories?.length) where.territories = { $in: filter.territories };
  if (filter.source) where.source = filter.source;
  if (filter.publishedAt_gte || filter.publishedAt_lte) {
    where.publishedAt = {
      ...(filter.publishedAt_gte ? { $gte: filter.publishedAt_gte } : {}),
      ...(filter.publishedAt_lte ? { $lte: filter.publishedAt_lte } : {}),
    };
  }
  if (filter.id) where._id = { $in: filter.id };
  return where;
}

export async function listNews(query: ListQuery<NewsFilter>) {
  const where = await newsWhere(query.filter);
  const [items, total] = await Promise.all([
    News.find(where).sort({ [query.sort.field]: query.sort.order, _id: -1 }).skip(query.skip).limit(query.limit),
    News.countDocuments(where),
  ]);
  return { items, total };
}
