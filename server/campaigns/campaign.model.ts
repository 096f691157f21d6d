import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { AUDIENCE_BASES, EXCLUSION_REASONS } from '../delivery/audience.js';

/**
 * A targeted mailing ("envoi ciblé"): a message written in Markdown, sent once to a list, a
 * segment of the base, or both. draft → preparing (approved by staff; the job campaign:prepare
 * freezes the audience) → approved → sending ⇄ paused → sent, or cancelled. Sending itself is a mailing of the delivery engine.
 */
export const CAMPAIGN_STATUSES = ['draft', 'preparing', 'approved', 'sending', 'paused', 'sent', 'cancelled'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

const audienceSchema = new Schema(
  {
    count: { type: Number, required: true },
    excluded: { type: new Schema(Object.fromEntries(EXCLUSION_REASONS.map((r) => [r, { type: Number, default: 0 }])), { _id: false }) },
    sample: { type: [String], default: [] },
    frozenAt: { type: Date, required: true },
  },
  { _id: false },
);

const campaignSchema = new Schema(
  {
    subject: { type: String, required: true, trim: true },
    preheader: { type: String, default: '' },
    fromName: { type: String, default: '' },
    body: { type: String, default: '' },
    list: { type: Schema.Types.ObjectId, ref: 'List', required: true },
    segment: { type: Schema.Types.ObjectId, ref: 'Segment', default: null },
    basis: { type: String, enum: AUDIENCE_BASES, required: true },
    /** "Publier dans les archives": a web version without personal links, next to the letters. */
    publish: { type: Boolean, default: false },
    slug: { type: String, default: null },
    webHtml: { type: String, default: null },
    status: { type: String, enum: CAMPAIGN_STATUSES, default: 'draft' },
    /** The audience frozen at approval (the count the confirmation names). */
    audience: { type: audienceSchema, default: null },
    approvedAt: { type: Date, default: null },
    approvedBy: { type: String, default: null },
    /** Why the last preparation failed (the campaign went back to draft). */
    preparationError: { type: String, default: null },
    scheduledAt: { type: Date, default: null },
    mailing: { type: Schema.Types.ObjectId, ref: 'Mailing', default: null },
    sendingAt: { type: Date, default: null },
    sentAt: { type: Date, default: null },
    testSends: { type: [new Schema({ at: Date, emails: [String], by: String }, { _id: false })], default: [] },
    duplicatedFrom: { type: Schema.Types.ObjectId, ref: 'Campaign', default: null },
    createdBy: { type: Schema.Types.ObjectId, ref: 'User' },
  },
  { timestamps: true },
);

export type CampaignRecord = InferSchemaType<typeof campaignSchema> & { _id: mongoose.Types.ObjectId };
export const Campaign = mongoose.model('Campaign', campaignSchema, 'campaigns');
