import mongoose, { Schema } from 'mongoose';
import { stampOnWrite } from '../lib/stamped-cache.js';

/** Lists of allowed values staff can edit (functions, organisation types, news categories, ...). */
export const VOCABULARY_KINDS = [
  'organisationTypes',
  'functions',
  'dispositifs',
  'newsCategories',
  'solicitationTypes',
  'requesterTypes',
  'solicitationChannels',
  'membershipCategories',
  'boardRoles',
] as const;
export type VocabularyKind = (typeof VOCABULARY_KINDS)[number];

const vocabularySchema = new Schema(
  {
    kind: { type: String, enum: VOCABULARY_KINDS, required: true },
    code: { type: String, required: true, trim: true, match: /^[a-z0-9-]+$/ },
    label: { type: String, required: true, trim: true },
    order: { type: Number, default: 0 },
    active: { type: Boolean, default: true },
  },
  { timestamps: true },
);
vocabularySchema.index({ kind: 1, code: 1 }, { unique: true });
vocabularySchema.index({ kind: 1, order: 1 });

/** Bumped by every write to vocabularies: each kind's entries are kept in memory until then. */
export const VOCABULARIES_STAMP = 'vocabularies';
stampOnWrite(vocabularySchema, VOCABULARIES_STAMP);

export const Vocabulary = mongoose.model('Vocabulary', vocabularySchema, 'vocabularies');
