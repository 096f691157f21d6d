import { badRequest, notFound } from '../lib/errors.js';
import type { ListQuery } from '../lib/rest.js';
import { frozenRows, StampedCache } from '../lib/stamped-cache.js';
import { Vocabulary, VOCABULARIES_STAMP, type VocabularyKind } from './vocabulary.model.js';

export async function listVocabulary(query: ListQuery<{ kind?: VocabularyKind; id?: string[]; active?: boolean }>) {
  const where: Record<string, unknown> = {};
  if (query.filter.kind) where.kind = query.filter.kind;
  if (query.filter.active !== undefined) where.active = query.filter.active;
  if (query.filter.id) where._id = { $in: query.filter.id };
  const [items, total] = await Promise.all([
    Vocabulary.find(where).sort({ [query.sort.field]: query.sort.order, order: 1 }).skip(query.skip).limit(query.limit),
    Vocabulary.countDocuments(where),
  ]);
  return { items, total };
}

type Entry = { kind: VocabularyKind; code: string; label: string; order: number; active: boolean };
const byKind = new StampedCache<readonly Readonly<Entry>[]>(VOCABULARIES_STAMP);

/** A kind's entries, in their order; kept in memory until an entry changes (public forms read them on every hit). */
export async function vocabularyOf(kind: VocabularyKind) {
  return (await byKind.get(kind, async () => frozenRows(await Vocabulary.find({ kind }).sort({ order: 1 }).lean<Array<Entry & { _id: unknown }>>())))!;
}

/** Rejects any code that is not in the vocabulary, naming the field. */
export async function assertCodes(kind: VocabularyKind, codes: readonly string[], field: string): Promise<void> {
  if (!codes.length) return;
  const known = new Set((await vocabularyOf(kind)).map((v) => v.code));
  // A code missing from memory may have been added by another process within the last seconds: the database decides.
  const missing = codes.filter((code) => !known.has(code));
  if (missing.length) for (const v of await Vocabulary.find({ kind, code: { $in: missing } }, { code: 1 }).lean()) known.add(v.code);
  const unknown = codes.find((code) => !known.has(code));
  if (unknown !== undefined) throw badRequest(`Valeur inconnue « ${unknown} » pour le champ « ${field} ».`, field);
}

export async function createVocabularyEntry(input: { kind: VocabularyKind; code: string; label: string; order?: number; active?: boolean }) {
  return Vocabulary.create(input);
}

export async function updateVocabularyEntry(id: string, input: { label?: string; order?: number; active?: boolean }) {
  const entry = await Vocabulary.findByIdAndUpdate(id, { $set: input }, { returnDocument: 'after', runValidators: true });
  if (!entry) throw notFound('Valeur');
  return entry;
}

export async function getVocabularyEntry(id: string) {
  const entry = await Vocabulary.findById(id);
  if (!entry) throw notFound('Valeur');
  return entry;
}

/** Entries are deactivated rather than deleted: records keep pointing at their codes. */
export async function deactivateVocabularyEntry(id: string) {
  return updateVocabularyEntry(id, { active: false });
}
