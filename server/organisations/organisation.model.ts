import mongoose, { Schema, type InferSchemaType } from 'mongoose';

/** The organisation types that the reports count as collectivités locales. */
export const LOCAL_AUTHORITY_TYPES = ['commune', 'epci', 'departement', 'region'];

/** A legal person: collectivité, ARS, association, ... `type` is an `organisationTypes` code. */
const organisationSchema = new Schema(
  {
    name: { type: String, required: true, trim: true },
    type: { type: String, required: true },
    territory: { type: String },
    territoryScope: { type: [String], default: [], index: true },
    website: { type: String, trim: true },
    siren: { type: String, trim: true, match: /^\d{9}$/ },
    notes: { type: String, default: '' },
    searchText: { type: String, default: '' },
    createdBy: { type: Schema.Types.ObjectId, ref: 'User' },
    updatedBy: { type: Schema.Types.ObjectId, ref: 'User' },
  },
  { timestamps: true },
);
organisationSchema.index({ type: 1 });
organisationSchema.index({ name: 1 });

export type OrganisationRecord = InferSchemaType<typeof organisationSchema> & { _id: mongoose.Types.ObjectId };
export const Organisation = mongoose.model('Organisation', organisationSchema, 'organisations');
