import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { stampOnWrite } from '../lib/stamped-cache.js';

/** A node of the theme tree; `ancestors` makes "a theme and its descendants" one indexed query. */
const themeSchema = new Schema(
  {
    code: { type: String, required: true, unique: true, trim: true, match: /^[a-z0-9-]+$/ },
    name: { type: String, required: true, trim: true },
    parent: { type: Schema.Types.ObjectId, ref: 'Theme', default: null },
    ancestors: { type: [Schema.Types.ObjectId], default: [], index: true },
    order: { type: Number, default: 0 },
  },
  { timestamps: true },
);

/** Bumped by every write to themes: the theme tree is kept in memory until then. */
export const THEMES_STAMP = 'themes';
stampOnWrite(themeSchema, THEMES_STAMP);

export type ThemeRecord = InferSchemaType<typeof themeSchema> & { _id: mongoose.Types.ObjectId };
export const Theme = mongoose.model('Theme', themeSchema, 'themes');
