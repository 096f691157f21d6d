import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { stampOnWrite } from '../lib/stamped-cache.js';

/**
 * A mailing list. `public` lists appear on the subscription form and need a double opt-in;
 * the others are managed by staff (legitimate interest: objection possible at any time).
 * `consentWording` is the sentence shown next to the checkbox, copied into each consent proof.
 */
export const LEGAL_BASES = ['consent', 'legitimate-interest', 'membership'] as const;

const listSchema = new Schema(
  {
    code: { type: String, required: true, unique: true, trim: true, match: /^[a-z0-9-]+$/ },
    name: { type: String, required: true, trim: true },
    description: { type: String, default: '' },
    public: { type: Boolean, default: false },
    doubleOptIn: { type: Boolean, default: false },
    legalBasis: { type: String, enum: LEGAL_BASES, default: 'consent' },
    consentWording: { type: String, default: '' },
    order: { type: Number, default: 0 },
    active: { type: Boolean, default: true },
  },
  { timestamps: true },
);

/** Bumped by every write to lists: the public forms keep the lists in memory until then. */
export const LISTS_STAMP = 'lists';
stampOnWrite(listSchema, LISTS_STAMP);

export type ListRecord = InferSchemaType<typeof listSchema> & { _id: mongoose.Types.ObjectId };
export const List = mongoose.model('List', listSchema, 'lists');
