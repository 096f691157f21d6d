import mongoose, { Schema, type InferSchemaType } from 'mongoose';

/**
 * One recipient of one mailing, written before the SMTP call (queued → sending) and after it
 * (sent with the SMTP reply, failed with the reason, or queued again for a retry). A row left
 * in `sending` by a crash becomes `uncertain`; one who left the list meanwhile is `skipped`.
 * Unique per mailing and contact: never sent twice.
 */
export const DELIVERY_STATUSES = ['queued', 'sending', 'sent', 'failed', 'skipped', 'uncertain', 'bounced'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

const deliverySchema = new Schema(
  {
    mailing: { type: Schema.Types.ObjectId, ref: 'Mailing', required: true },
    contact: { type: Schema.Types.ObjectId, ref: 'Contact', required: true },
    subscription: { type: Schema.Types.ObjectId, ref: 'Subscription' },
    email: { type: String, required: true },
    firstName: { type: String },
    lastName: { type: String },
    status: { type: String, enum: DELIVERY_STATUSES, default: 'queued' },
    attempts: { type: Number, default: 0 },
    nextAttemptAt: { type: Date },
    messageId: { type: String },
    smtpResponse: { type: String },
    error: { type: String },
    sentAt: { type: Date },
    bounceType: { type: String, enum: ['hard', 'soft', 'complaint'] },
    bouncedAt: { type: Date },
  },
  { timestamps: true, versionKey: false },
);
deliverySchema.index({ mailing: 1, contact: 1 }, { unique: true });
deliverySchema.index({ mailing: 1, status: 1 });
deliverySchema.index({ contact: 1 });

export type DeliveryRecord = InferSchemaType<typeof deliverySchema> & { _id: mongoose.Types.ObjectId };
export const Delivery = mongoose.model('Delivery', deliverySchema, 'deliveries');
