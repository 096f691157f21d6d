import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { feedsContactIndex } from '../contacts/contact.store.js';

/**
 * A contact's subscription to a list, with the consent proof the CNIL asks for: when, how
 * (form, import, staff), from which IP, the exact wording shown, and when and from where it was
 * confirmed. An unsubscription keeps its date and source.
 */
export const SUBSCRIPTION_STATUSES = ['pending', 'subscribed', 'unsubscribed', 'rejected', 'bounced'] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];
export const SUBSCRIPTION_SOURCES = ['form', 'import', 'staff', 'preferences'] as const;
export const UNSUBSCRIBE_SOURCES = ['link', 'one-click', 'mailto', 'preferences', 'staff', 'complaint', 'bounce', 'import'] as const;

const consentSchema = new Schema(
  {
    at: { type: Date, required: true },
    source: { type: String, enum: SUBSCRIPTION_SOURCES, required: true },
    ip: { type: String },
    wording: { type: String, default: '' },
    confirmedAt: { type: Date },
    confirmedIp: { type: String },
    /** A consent given before (paper form, event sign-up...) recorded by staff: where it comes from. */
    evidence: { type: String },
  },
  { _id: false },
);

const subscriptionSchema = new Schema(
  {
    contact: { type: Schema.Types.ObjectId, ref: 'Contact', required: true },
    list: { type: Schema.Types.ObjectId, ref: 'List', required: true },
    status: { type: String, enum: SUBSCRIPTION_STATUSES, required: true, default: 'pending' },
    source: { type: String, enum: SUBSCRIPTION_SOURCES, required: true },
    consent: { type: consentSchema, required: true },
    /** What the public form asked for, applied to the contact only once the address is confirmed. */
    profile: {
      type: new Schema(
        { organisation: String, function: String, territory: String, themes: { type: [String], default: undefined } },
        { _id: false },
      ),
    },
    unsubscribedAt: { type: Date },
    unsubscribeSource: { type: String, enum: UNSUBSCRIBE_SOURCES },
    createdBy: { type: Schema.Types.ObjectId, ref: 'User' },
  },
  { timestamps: true },
);
// the contact filter's `lists` criterion reads these from the contact store's memory: every write is noted
subscriptionSchema.plugin(feedsContactIndex('subscriptions'));
subscriptionSchema.index({ contact: 1, list: 1 }, { unique: true });
subscriptionSchema.index({ list: 1, status: 1 });

export type SubscriptionRecord = InferSchemaType<typeof subscriptionSchema> & { _id: mongoose.Types.ObjectId };
export const Subscription = mongoose.model('Subscription', subscriptionSchema, 'subscriptions');
