import { Types } from 'mongoose';
import { isDuplicateKey } from '../lib/db.js';
import { notFound } from '../lib/errors.js';
import { escapeRegExp, normalizeText } from '../lib/normalize.js';
import type { ListQuery } from '../lib/rest.js';
import { assertTerritories, resolveTerritoryLabel } from '../territories/territory.service.js';
import { assertThemes, resolveThemeLabel } from '../themes/theme.service.js';
import { fetchFeed, parseFeed, webAddress, type FeedItem } from './news.feed.js';
import { News, NewsMapping, type NewsMappingRecord } from './news.model.js';
import type { MappingCreateInput, MappingUpdateInput } from './news.schemas.js';
import { newsCategories, newsSearchText, resolveNewsCategory } from './news.service.js';

export type NewsImportResult = {
  source: string;
  total: number;
  created: number;
  skipped: number;
  createdIds: string[];
  /** Website categories mapped to nothing yet (staff may edit their mapping); items without a mapped category get the first one. */
  unmappedLabels: string[];
  errors: Array<{ item: number; message: string }>;
  /** What was left out of an item that was kept (a link or image that is not http(s)). */
  warnings: Array<{ item: number; message: string }>;
};

/** Words of a website category that point at a news category code, when its label differs. */
const CATEGORY_HINTS: Array<[RegExp, string]> = [
  [/\b(fabrique|fts|vie du reseau|reseau)\b/, 'fabrique'],
  [/\bpolitiques? (nationales?|publiques?)\b|\bgouvernement\b|\bministere\b/, 'politique-nationale'],
  [/\b(articles?|ouvrages?|publications?|livres?)\b/, 'articles-ouvrages'],
  [/\b(avis|rapports?)\b/, 'avis-rapports'],
  [/\b(etudes?|travaux|recherches?)\b/, 'etudes-travaux'],
  [/\b(podcasts?|webinaires?|webinars?|videos?)\b/, 'podcasts-webinaires'],
  [/\b(evenements?|agenda|colloques?|journees?|rencontres?)\b/, 'evenements'],
  [/\b(appels? a projets?|aap|appels? a candidatures?)\b/, 'appels-a-projets'],
  [/\b(emplois?|offres? d emploi|recrutements?|stages?)\b/, 'offres-emploi'],
];

/** Imports a feed from a URL or an uploaded file; items already present (same guid or link) are skipped. */
export async function importNewsFeed(
  input: { url: string } | { xml: string; fileName: string },
  options: { allowHosts: readonly string[] },
): Promise<NewsImportResult> {
  const isUrl = 'url' in input;
  const xml = isUrl ? await fetchFeed(input.url, options.allowHosts) : input.xml;
  const feedUrl = isUrl ? input.url : null;
  const result: NewsImportResult = { source: isUrl ? input.url : input.fileName, total: 0, created: 0, skipped: 0, createdIds: [], unmappedLabels: [], errors: [], warnings: [] };
  const items = parseFeed(xml, isUrl ? 'url' : 'file').map((item, index) => webOnly(item, index + 1, result));
  result.total = items.length;

  const fresh = await withoutKnownItems(items, result);
  const mappings = await mappingsFor(fresh.flatMap(({ item }) => item.categories));
  const defaultCategory = (await newsCategories())[0]?._id;
  const unmapped = new Set<string>();
  const documents = fresh.map(({ item }) => {
    const rows = item.categories.map((label) => mappings.get(normalizeText(label))).filter((m): m is NewsMappingRecord => Boolean(m));
    const category = rows.find((m) => m.category)?.category ?? defaultCategory;
    for (const row of rows) if (!row.category && !row.themes.length && !row.territories.length) unmapped.add(row.label);
    return {
      _id: new Types.ObjectId(),
      title: item.title,
      url: item.link ?? null,
      summary: item.summary,
      publishedAt: item.publishedAt ?? new Date(),
      category,
      themes: unique(rows.flatMap((m) => m.themes.map(String))).map((id) => new Types.ObjectId(id)),
      territories: unique(rows.flatMap((m) => m.territories)),
      imageUrl: item.imageUrl ?? null,
      source: 'feed',
      feedUrl,
      guid: item.guid,
      feedCategories: item.categories,
      searchText: newsSearchText(item),
    };
  });
  await insertIgnoringDuplicates(documents, result);
  result.unmappedLabels = [...unmapped].sort((a, b) => a.localeCompare(b, 'fr'));
  return result;
}

/** The item with its link and image only when they are http(s) addresses; what is dropped is a warning. */
function webOnly(item: FeedItem, position: number, result: NewsImportResult): FeedItem {
  const link = webAddress(item.link);
  const image = webAddress(item.imageUrl);
  if (link.dropped) result.warnings.push({ item: position, message: `Lien ignoré (seules les adresses http(s) sont acceptées) : ${item.link!.slice(0, 80)}` });
  if (image.dropped) result.warnings.push({ item: position, message: `Image ignorée (seules les adresses http(s) sont acceptées) : ${item.imageUrl!.slice(0, 80)}` });
  return { ...item, link: link.url, imageUrl: image.url, guid: item.guid === item.link && link.dropped ? '' : item.guid };
}

/** Drops items without title or key, repeated in the feed, or already in the base (by guid or link). */
async function withoutKnownItems(items: FeedItem[], result: NewsImportResult) {
  const valid: Array<{ item: FeedItem; index: number }> = [];
  items.forEach((item, i) => {
    if (!item.title) result.errors.push({ item: i + 1, message: 'Élément sans titre, ignoré.' });
    else if (!item.guid) result.errors.push({ item: i + 1, message: 'Élément sans identifiant ni lien, ignoré.' });
    else valid.push({ item, index: i + 1 });
  });
  const guids = valid.map(({ item }) => item.guid);
  const links = valid.map(({ item }) => item.link).filter((l): l is string => Boolean(l));
  const known = await News.find({ $or: [{ guid: { $in: guids } }, { url: { $in: links } }] }, { guid: 1, url: 1 }).lean();
  const seen = new Set(known.flatMap((n) => [n.guid, n.url].filter(Boolean) as string[]));
  const fresh = valid.filter(({ item }) => {
    const duplicate = seen.has(item.guid) || (item.link !== undefined && seen.has(item.link));
    seen.add(item.guid);
    if (item.link) seen.add(item.link);
    return !duplicate;
  });
  result.skipped = valid.length - fresh.length;
  return fresh;
}

async function insertIgnoringDuplicates(documents: Array<Record<string, unknown>>, result: NewsImportResult): Promise<void> {
  if (!documents.length) return;
  try {
    await News.insertMany(documents, { ordered: false });
    result.created = documents.length;
    result.createdIds = documents.map((d) => String(d._id));
  } catch (error) {
    // Another import running at the same time inserted some of them first: those count as skipped.
    const inserted = (error as { insertedDocs?: Array<{ _id: unknown }> }).insertedDocs ?? [];
    if (!isDuplicateKey(error)) throw error;
    result.created = inserted.length;
    result.createdIds = inserted.map((d) => String(d._id));
    result.skipped += documents.length - inserted.length;
  }
}

/** The mapping row of each label, creating the missing ones with what can be guessed. */
async function mappingsFor(labels: string[]): Promise<Map<string, NewsMappingRecord>> {
  const byKey = new Map(labels.map((label) => [normalizeText(label), label]));
  const existing = await NewsMapping.find({ key: { $in: [...byKey.keys()] } }).lean();
  const found = new Map(existing.map((m) => [m.key, m as NewsMappingRecord]));
  for (const [key, label] of byKey) {
    if (found.has(key) || !key) continue;
    const guess = await guessMapping(label);
    try {
      // find-then-create: FerretDB drops [] values given to $setOnInsert
      found.set(key, (await NewsMapping.create({ label, key, ...guess })).toObject() as NewsMappingRecord);
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      found.set(key, (await NewsMapping.findOne({ key }).lean()) as NewsMappingRecord);
    }
  }
  return found;
}

export async function guessMapping(label: string) {
  const key = normalizeText(label);
  const categories = await newsCategories();
  const category =
    categories.find((c) => c.code === key.replace(/ /g, '-') || normalizeText(c.label) === key) ??
    categories.find((c) => CATEGORY_HINTS.some(([pattern, code]) => code === c.code && pattern.test(key)));
  const theme = await resolveThemeLabel(label);
  const territory = resolveTerritoryLabel(label);
  const usefulTerritory = territory && ['region', 'departement', 'qualite'].includes(territory.kind) ? territory : undefined;
  return {
    category: category?._id ?? null,
    themes: theme ? [theme._id] : [],
    territories: usefulTerritory ? [usefulTerritory.id] : [],
  };
}

const unique = <T>(values: T[]) => [...new Set(values)];

// The editable mapping (`/api/news-mappings`).

export async function listMappings(query: ListQuery<{ q?: string; id?: string[] }>) {
  const where: Record<string, unknown> = {};
  if (query.filter.q) where.key = new RegExp(escapeRegExp(normalizeText(query.filter.q)));
  if (query.filter.id) where._id = { $in: query.filter.id };
  const [items, total] = await Promise.all([
    NewsMapping.find(where).sort({ [query.sort.field]: query.sort.order, _id: 1 }).skip(query.skip).limit(query.limit),
    NewsMapping.countDocuments(where),
  ]);
  return { items, total };
}

async function mappingFields(input: MappingUpdateInput) {
  if (input.themes) await assertThemes(input.themes, 'themes');
  if (input.territories) assertTerritories(input.territories, 'territories');
  const { category, ...rest } = input;
  return { ...rest, ...(category !== undefined ? { category: category ? await resolveNewsCategory(category) : null } : {}) };
}

export async function createMapping(input: MappingCreateInput) {
  const fields = await mappingFields(input);
  return NewsMapping.create({ themes: [], territories: [], ...fields, key: normalizeText(input.label) });
}

export async function updateMapping(id: string, input: MappingUpdateInput) {
  const mapping = await NewsMapping.findById(id);
  if (!mapping) throw notFound('Correspondance');
  mapping.set(await mappingFields(input));
  if (input.label) mapping.key = normalizeText(input.label);
  return mapping.save();
}

export async function getMapping(id: string) {
  const mapping = await NewsMapping.findById(id);
  if (!mapping) throw notFound('Correspondance');
  return mapping;
}

export async function deleteMapping(id: string) {
  const mapping = await NewsMapping.findByIdAndDelete(id);
  if (!mapping) throw notFound('Correspondance');
  return mapping;
}
