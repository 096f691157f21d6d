import mongoose, { Schema } from 'mongoose';

/** Soft bounces per address (hash only, like the suppression list) until the configured limit. */
const softBounceSchema = new Schema(
  { _id: { type: String, required: true }, count: { type: Number, default: 0 }, lastAt: { type: Date }, lastReason: { type: String } },
  { versionKey: false },
);
export const SoftBounce = mongoose.model('SoftBounce', softBounceSchema, 'soft_bounces');
