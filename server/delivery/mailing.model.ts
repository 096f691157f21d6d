import mongoose, { Schema, type InferSchemaType } from 'mongoose';

/**
 * One send of one content to an audience (a list, optionally narrowed by a segment). The sender
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
    content: {
      type: new Schema({ subject: { type: String, required: true }, html: { type: String, required: true }, text: { type: String, required: true } }, { _id: false }),
      required: true,
    },
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
