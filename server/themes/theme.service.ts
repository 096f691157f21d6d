import mongoose, { Types } from 'mongoose';
import { badRequest, conflict, notFound } from '../lib/errors.js';
import { escapeRegExp, normalizeText } from '../lib/normalize.js';
import type { ListQuery } from '../lib/rest.js';
import { frozenRows, StampedCache } from '../lib/stamped-cache.js';
import { Theme, THEMES_STAMP, type ThemeRecord } from './theme.model.js';
import type { ThemeCreateInput, ThemeFilter, ThemeUpdateInput } from './theme.schemas.js';

/** The given themes and all their descendants, as id strings (from the tree in memory: every contact filter asks). */
export async function themeDescendants(ids: readonly string[]): Promise<string[]> {
  if (!ids.length) return [];
  const wanted = new Set(ids);
  const found = (await cachedTree()).all.filter((t) => t.ancestors.some((a) => wanted.has(String(a))));
  return [...new Set([...ids, ...found.map((t) => String(t._id))])];
}

/** A theme named by its code or its name (accent- and case-insensitive); undefined when none. */
export async function resolveThemeLabel(text: string) {
  const wanted = normalizeText(text);
  if (!wanted) return undefined;
  const themes = await Theme.find().lean();
  return themes.find((t) => t.code === text.trim().toLowerCase()) ?? themes.find((t) => normalizeText(t.name) === wanted);
}

type ThemeRows = readonly Readonly<ThemeRecord>[];
const tree = new StampedCache<{ all: ThemeRows; roots: ThemeRows }>(THEMES_STAMP);

/** Every theme and the top-level ones, by order; kept in memory until a theme changes (public forms read them on every hit). */
async function cachedTree() {
  return (await tree.get('tree', async () => {
    const all = frozenRows(await Theme.find().sort({ order: 1, _id: 1 }).lean<ThemeRecord[]>());
    return { all, roots: Object.freeze(all.filter((t) => !t.parent)) };
  }))!;
}

/** The top-level themes, by order: what the public forms offer. The same array until a theme changes. */
export async function rootThemes() {
  return (await cachedTree()).roots;
}

/** Rejects unknown or malformed theme ids, naming the field. */
export async function assertThemes(ids: readonly string[], field: string): Promise<void> {
  if (!ids.length) return;
  const malformed = ids.find((id) => !Types.ObjectId.isValid(id) || !/^[a-f0-9]{24}$/i.test(id));
  if (malformed !== undefined) throw badRequest(`Thème inconnu « ${malformed} » pour le champ « ${field} ».`, field);
  const known = new Set((await cachedTree()).all.map((t) => String(t._id)));
  // A theme missing from memory may have been added by another process within the last seconds: the database decides.
  const missing = ids.filter((id) => !known.has(id));
  if (missing.length) for (const t of await Theme.find({ _id: { $in: missing } }, { _id: 1 }).lean()) known.add(String(t._id));
  const unknown = ids.find((id) => !known.has(id));
  if (unknown !== undefined) throw badRequest(`Thème inconnu « ${unknown} » pour le champ « ${field} ».`, field);
}

export async function listThemes(query: ListQuery<ThemeFilter>) {
  const where: Record<string, unknown> = {};
  if (query.filter.q) where.name = new RegExp(escapeRegExp(query.filter.q), 'i');
  if (query.filter.parent !== undefined) where.parent = query.filter.parent;
  if (query.filter.id) where._id = { $in: query.filter.id };
  const [items, total] = await Promise.all([
    Theme.find(where).sort({ [query.sort.field]: query.sort.order, _id: 1 }).skip(query.skip).limit(query.limit),
    Theme.countDocuments(where),
  ]);
  return { items, total };
}

export async function getTheme(id: string) {
  const theme = await Theme.findById(id);
  if (!theme) throw notFound('Thème');
  return theme;
}

async function ancestorsFor(parentId: string | null | undefined): Promise<Types.ObjectId[]> {
  if (!parentId) return [];
  const parent = await Theme.findById(parentId).lean();
  if (!parent) throw badRequest(`Thème parent inconnu « ${parentId} ».`, 'parent');
  return [...parent.ancestors, parent._id];
}

export async function createTheme(input: ThemeCreateInput) {
  if (await Theme.exists({ code: input.code })) throw conflict(`Le code « ${input.code} » est déjà utilisé.`, 'code');
  const ancestors = await ancestorsFor(input.parent);
  return Theme.create({ ...input, parent: input.parent ?? null, ancestors });
}

/** Moving a theme moves its whole subtree: every descendant's ancestors are rewritten. */
export async function updateTheme(id: string, input: ThemeUpdateInput) {
  const theme = await getTheme(id);
  const { id: _ignored, ...changes } = input;
  if (changes.code && changes.code !== theme.code && (await Theme.exists({ code: changes.code }))) {
    throw conflict(`Le code « ${changes.code} » est déjà utilisé.`, 'code');
  }
  if (changes.parent !== undefined && String(changes.parent) !== String(theme.parent)) {
    const ancestors = await ancestorsFor(changes.parent);
    if (ancestors.some((a) => a.equals(theme._id)) || changes.parent === id) {
      throw badRequest('Un thème ne peut pas être rangé sous lui-même ou sous un de ses sous-thèmes.', 'parent');
    }
    const descendants = await Theme.find({ ancestors: theme._id });
    for (const child of descendants) {
      const below = child.ancestors.slice(child.ancestors.findIndex((a) => a.equals(theme._id)));
      child.ancestors = [...ancestors, ...below];
      await child.save();
    }
    theme.ancestors = ancestors;
    theme.parent = changes.parent ? new Types.ObjectId(changes.parent) : null;
  }
  if (changes.code !== undefined) theme.code = changes.code;
  if (changes.name !== undefined) theme.name = changes.name;
  if (changes.order !== undefined) theme.order = changes.order;
  return theme.save();
}

/**
 * A theme with sub-themes cannot be deleted; a leaf is removed from every tagged record:
 * contacts by `untagContacts` (the contacts' owner, given by the caller), organisations here.
 */
export async function deleteTheme(id: string, untagContacts: (theme: Types.ObjectId) => Promise<void>) {
  const theme = await getTheme(id);
  if (await Theme.exists({ parent: theme._id })) throw conflict('Ce thème a des sous-thèmes : déplacez-les ou supprimez-les d’abord.');
  await untagContacts(theme._id);
  await mongoose.connection.db!.collection('organisations').updateMany({ themes: theme._id }, { $pull: { themes: theme._id } } as never);
  await theme.deleteOne();
  return theme;
}
