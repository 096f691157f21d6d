import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { CIVILITIES } from './contact.civilities.js';

/**
 * A person of the qualified contact base. Field names are part of the HTTP contract
 * (../shared/API.md). Derived fields, kept by the contact service on every write:
 * - `territoryScope`: the tagged territory ids plus all their ancestors (commune → EPCI,
 *   département, région), so a filter on a département is one indexed query;
 * - `organisationTypes`: the types of the contact's organisations (no $lookup on FerretDB);
 * - `searchTokens`: the words of names, e-mails, organisation names and function, folded;
 * - `sortName`: "lastname firstname" folded, the list's default order.
 * All are computed by `deriveContactFields` (contact.service.ts), the one place for them.
 */

const contactSchema = new Schema(
  {
    civility: { type: String, enum: CIVILITIES },
    firstName: { type: String, trim: true, default: '' },
    lastName: { type: String, trim: true, default: '' },
    email: { type: String, required: true, unique: true, lowercase: true, trim: true },
    emails: { type: [String], default: [], index: true },
    phones: { type: [String], default: [] },
    function: { type: String },
    /** The function as an import found it when no managed function is exactly that ("Médecin généraliste"). */
    functionLabel: { type: String },
    organisations: { type: [Schema.Types.ObjectId], ref: 'Organisation', default: [], index: true },
    dispositifs: { type: [String], default: [], index: true },
    themes: { type: [Schema.Types.ObjectId], ref: 'Theme', default: [], index: true },
    territories: { type: [String], default: [] },
    notes: { type: String, default: '' },
    /** Imported values no managed list took ("Thématique : Nutrition"), for staff to sort out. */
    unresolvedLabels: { type: [String], default: [] },
    source: { type: String, default: 'staff' },
    territoryScope: { type: [String], default: [], index: true },
    organisationTypes: { type: [String], default: [], index: true },
    /** No longer written (its words are `searchTokens`); declared so an erasure clears it from older contacts. */
    searchText: { type: String },
    /** Folded words of the names, e-mails, organisations and function: `q` matches them with anchored prefix regexes. */
    searchTokens: { type: [String], default: [], index: true },
    /** Set when the contact was erased (RGPD): personal data gone, the record kept for figures. */
    erasedAt: { type: Date },
    sortName: { type: String, default: '', index: true },
    createdBy: { type: Schema.Types.ObjectId, ref: 'User' },
    updatedBy: { type: Schema.Types.ObjectId, ref: 'User' },
  },
  { timestamps: true },
);
contactSchema.index({ function: 1 });

export type ContactRecord = InferSchemaType<typeof contactSchema> & { _id: mongoose.Types.ObjectId };
export const Contact = mongoose.model('Contact', contactSchema, 'contacts');
