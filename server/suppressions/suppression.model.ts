import mongoose, { Schema } from 'mongoose';

/**
 * Addresses that no import or form may bring back without a new explicit consent: erased
 * contacts, unsubscribed-from-everything, hard bounces, complaints. Only a hash is kept.
 */
export const SUPPRESSION_REASONS = ['erased', 'unsubscribed', 'hard-bounce', 'complaint', 'soft-bounces'] as const;
export type SuppressionReason = (typeof SUPPRESSION_REASONS)[number];

const suppressionSchema = new Schema(
  {
    emailHash: { type: String, required: true, unique: true },
    reason: { type: String, enum: SUPPRESSION_REASONS, required: true },
    source: { type: String },
  },
  { timestamps: true },
);

export const Suppression = mongoose.model('Suppression', suppressionSchema, 'suppressions');
