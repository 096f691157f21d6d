import mongoose, { Schema, type InferSchemaType } from 'mongoose';

/** draft → approved → sending → sent; only a draft is edited or recompiled. */
export const NEWSLETTER_STATUSES = ['draft', 'approved', 'sending', 'sent'] as const;
export type NewsletterStatus = (typeof NEWSLETTER_STATUSES)[number];

const contentSchema = new Schema({ subject: String, html: String, text: String }, { _id: false });
const figuresSchema = new Schema(
  { status: String, total: Number, sent: Number, failed: Number, remaining: Number, bounced: Number, unsubscribed: Number, uncertain: Number, skipped: Number },
  { _id: false },
);

/** One monthly issue; its content is compiled once (MJML) with the per-recipient placeholders left in. */
const newsletterSchema = new Schema(
  {
    month: { type: String, required: true, unique: true, match: /^\d{4}-\d{2}$/ },
    slug: { type: String, required: true, unique: true },
    title: { type: String, required: true },
    /** The e-mail's subject when staff changed it (default: the title, which names the month). */
    subject: { type: String, default: null },
    status: { type: String, enum: NEWSLETTER_STATUSES, default: 'draft', index: true },
    editorial: { type: String, default: '' },
    /** The month's items in the order they appear (grouped by category when rendered). */
    items: { type: [Schema.Types.ObjectId], ref: 'News', default: [] },
    /** Items of the month staff left out; a refresh keeps them out. */
    excluded: { type: [Schema.Types.ObjectId], ref: 'News', default: [] },
    /** Per-category counts of the compiled issue, in category order. */
    sections: { type: [new Schema({ category: Schema.Types.ObjectId, label: String, count: Number }, { _id: false })], default: [] },
    content: { type: contentSchema, required: true },
    /** The archive's version: the same issue without any personal link. */
    webHtml: { type: String, default: null },
    compiledAt: { type: Date, required: true },
    list: { type: String, default: 'lettre-mensuelle' },
    segment: { type: Schema.Types.ObjectId, ref: 'Segment', default: null },
    testSends: { type: [new Schema({ at: Date, emails: [String], by: String }, { _id: false })], default: [] },
    approvedAt: { type: Date, default: null },
    approvedBy: { type: String, default: null },
    scheduledAt: { type: Date, default: null },
    mailing: { type: Schema.Types.ObjectId, ref: 'Mailing', default: null },
    sendingAt: { type: Date, default: null },
    sentAt: { type: Date, default: null },
    figures: { type: figuresSchema, default: null },
  },
  { timestamps: true },
);

export type NewsletterRecord = InferSchemaType<typeof newsletterSchema> & { _id: mongoose.Types.ObjectId };
export const Newsletter = mongoose.model('Newsletter', newsletterSchema, 'newsletters');
