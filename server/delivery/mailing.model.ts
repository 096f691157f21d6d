import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import type { MailContent } from './personalize.js';

/**
 * One send of one content (in `mailing_contents`, below) to an audience (a list, optionally
 * narrowed by a segment). The sender
 * keeps its state here and in `deliveries`, so any process can resume it after a crash; the
 * lease says which process is sending right now.
 * draft → sending ⇄ paused → sent (or cancelled).
 */
export const MAILING_STATUSES = ['draft', 'sending', 'paused', 'sent', 'cancelled'] as const;
export type MailingStatus = (typeof MAILING_STATUSES)[number];

const mailingSchema = new Schema(
  {
    source: {
      type: new Schema({ kind: { type: String, required: true }, id: { type: String } }, { _id: false }),
      required: true,
    },
    list: { type: Schema.Types.ObjectId, ref: 'List', required: true },
    segment: { type: Schema.Types.ObjectId, ref: 'Segment' },
    browserUrl: { type: String },
    /** The sender's display name when not MAIL_FROM's (a campaign's "nom de l'expéditeur"). */
    fromName: { type: String },
    status: { type: String, enum: MAILING_STATUSES, default: 'draft', index: true },
    total: { type: Number, default: 0 },
    audienceResolvedAt: { type: Date },
    /**
     * When the audience's subscriptions and suppressions were read, and where the contact
     * index's log was then: the sender looks for who left since (server/delivery/sender.ts).
     */
    audienceReadAt: { type: Date },
    audienceLogPosition: { type: String },
    /** Messages accepted by SMTP or not, we cannot know: the process died between the two records. */
    uncertain: { type: Number, default: 0 },
    pauseReason: { type: String },
    /** Retries logged before this date are due at once (staff resumed after fixing the cause). */
    resumedAt: { type: Date },
    leaseOwner: { type: String },
    leaseUntil: { type: Date },
    startedAt: { type: Date },
    finishedAt: { type: Date },
    createdBy: { type: Schema.Types.ObjectId, ref: 'User' },
    /**
     * Below the `_id` of every delivery of this mailing (they are made after it; an hour of
     * margin for a clock set back): see `deliveriesOf` in delivery.model.ts.
     */
    deliveriesFrom: { type: Schema.Types.ObjectId, default: () => mongoose.Types.ObjectId.createFromTime(Math.floor(Date.now() / 1000) - 3600) },
    /** A send of the uncertain recipients of this mailing, on staff's request. */
    resendOf: { type: Schema.Types.ObjectId, ref: 'Mailing' },
  },
  { timestamps: true },
);
mailingSchema.index({ 'source.kind': 1, 'source.id': 1 });

export type MailingRecord = InferSchemaType<typeof mailingSchema> & { _id: mongoose.Types.ObjectId };
export const Mailing = mongoose.model('Mailing', mailingSchema, 'mailings');

/**
 * A mailing's content (subject, HTML, text), under the mailing's `_id` in a collection of its
 * own. FerretDB over SQLite reads whole documents for any filter but on `_id`: with the content
 * inside, every scan of mailings (the watchdog's, every minute; the lists; a newsletter's or a
 * campaign's mailings) decoded every mailing's HTML, ~60 KB each.
 */
const mailingContentSchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    subject: { type: String, required: true },
    html: { type: String, required: true },
    text: { type: String, required: true },
  },
  { versionKey: false },
);
export const MailingContent = mongoose.model('MailingContent', mailingContentSchema, 'mailing_contents');

export async function contentOf(mailing: mongoose.Types.ObjectId | string): Promise<MailContent> {
  const content = await MailingContent.findById(mailing, { _id: 0 }).lean<MailContent>();
  if (!content) throw new Error(`L'envoi ${String(mailing)} n'a pas de contenu.`);
  return content;
}
