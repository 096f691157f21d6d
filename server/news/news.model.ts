import mongoose, { Schema, type InferSchemaType } from 'mongoose';

/** A news item (actualité) posted on the website or entered by staff; the newsletter's raw material. */
const newsSchema = new Schema(
  {
    title: { type: String, required: true, trim: true },
    url: { type: String, default: null },
    summary: { type: String, default: '' },
    publishedAt: { type: Date, required: true, index: true },
    /** A `newsCategories` vocabulary entry. */
    category: { type: Schema.Types.ObjectId, ref: 'Vocabulary', required: true, index: true },
    themes: { type: [Schema.Types.ObjectId], ref: 'Theme', default: [] },
    territories: { type: [String], default: [] },
    imageUrl: { type: String, default: null },
    source: { type: String, enum: ['manual', 'feed'], default: 'manual' },
    feedUrl: { type: String, default: null },
    /** Feed guid (or link) of an imported item, `maillage:<id>` for one typed by staff: the de-duplication key. */
    guid: { type: String, required: true, unique: true },
    /** The categories the website gave the item, as written there. */
    feedCategories: { type: [String], default: [] },
    searchText: { type: String, default: '', index: true },
  },
  { timestamps: true },
);
newsSchema.index({ url: 1 });

export type NewsRecord = InferSchemaType<typeof newsSchema> & { _id: mongoose.Types.ObjectId };
export const News = mongoose.model('News', newsSchema, 'news');

/**
 * How a website category becomes a news category, themes and territories. One row per
 * category label seen in a feed, created on first sight with what could be guessed; staff edit it.
 */
const newsMappingSchema = new Schema(
  {
    label: { type: String, required: true, trim: true },
    key: { type: String, required: true, unique: true },
    category: { type: Schema.Types.ObjectId, ref: 'Vocabulary', default: null },
    themes: { type: [Schema.Types.ObjectId], ref: 'Theme', default: [] },
    territories: { type: [String], default: [] },
  },
  { timestamps: true },
);

export type NewsMappingRecord = InferSchemaType<typeof newsMappingSchema> & { _id: mongoose.Types.ObjectId };
export const NewsMapping = mongoose.model('NewsMapping', newsMappingSchema, 'news_mappings');
