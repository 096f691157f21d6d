import mongoose, { Schema, type InferSchemaType } from 'mongoose';

/**
 * One recipient of one mailing (unique per mailing and contact), written when the audience is
 * resolved. Its state lives in `delivery_events`, an append-only log: `sending` is written
 * before the SMTP call, `sent` / `failed` / `retry` after it. Why a log: on FerretDB's SQLite
 * engine every update or delete scans the whole collection (measured: 40–100 ms per update at
 * 5,000 rows) while an insert stays around 2 ms, so the hot path only inserts.
 */
const deliverySchema = new Schema(
  {
    mailing: { type: Schema.Types.ObjectId, ref: 'Mailing', required: true },
    contact: { type: Schema.Types.ObjectId, ref: 'Contact', required: true },
    subscription: { type: Schema.Types.ObjectId, ref: 'Subscription' },
    email: { type: String, required: true },
    firstName: { type: String },
    lastName: { type: String },
    /** The name of the contact's first organisation, for `{{organisation}}`. */
    organisation: { type: String },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);
deliverySchema.index({ mailing: 1, contact: 1 }, { unique: true });
deliverySchema.index({ contact: 1 });

export type DeliveryRecord = InferSchemaType<typeof deliverySchema> & { _id: mongoose.Types.ObjectId };
export const Delivery = mongoose.model('Delivery', deliverySchema, 'deliveries');

/** What a delivery is, folded from its events. `queued` = no event yet, or a retry waiting. */
export const DELIVERY_STATUSES = ['queued', 'sending', 'sent', 'failed', 'skipped', 'uncertain', 'bounced'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export const DELIVERY_EVENTS = ['sending', 'sent', 'failed', 'retry', 'uncertain', 'skipped', 'bounced'] as const;
export type DeliveryEventKind = (typeof DELIVERY_EVENTS)[number];

/**
 * `_id` is `<delivery>:<attempt>:<event>` (or `<delivery>:bounce`), so writing the same fact
 * twice is a duplicate key, never a second record: an attempt can be claimed only once.
 */
const deliveryEventSchema = new Schema(
  {
    _id: { type: String, required: true },
    delivery: { type: Schema.Types.ObjectId, ref: 'Delivery', required: true, index: true },
    mailing: { type: Schema.Types.ObjectId, ref: 'Mailing', required: true },
    event: { type: String, enum: DELIVERY_EVENTS, required: true },
    attempt: { type: Number, default: 0 },
    response: { type: String },
    error: { type: String },
    nextAttemptAt: { type: Date },
    bounceType: { type: String, enum: ['hard', 'soft', 'complaint'] },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);
deliveryEventSchema.index({ mailing: 1, event: 1 });

export type DeliveryEventRecord = InferSchemaType<typeof deliveryEventSchema>;
export const DeliveryEvent = mongoose.model('DeliveryEvent', deliveryEventSchema, 'delivery_events');

export type DeliveryState = {
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt?: Date;
  retriedAt?: Date;
  response?: string;
  error?: string;
  sentAt?: Date;
  bounceType?: string;
  bouncedAt?: Date;
};

/** Folds events (any order) into the state of each delivery. */
export function foldEvents(events: Iterable<DeliveryEventRecord>): Map<string, DeliveryState> {
  const sorted = [...events].sort((a, b) => a.at.getTime() - b.at.getTime() || RANK[a.event] - RANK[b.event]);
  const states = new Map<string, DeliveryState>();
  for (const e of sorted) {
    const key = String(e.delivery);
    const state = states.get(key) ?? { status: 'queued', attempts: 0 };
    states.set(key, state);
    switch (e.event) {
      case 'sending':
        if (state.status === 'queued') Object.assign(state, { status: 'sending', attempts: Math.max(state.attempts, e.attempt) });
        break;
      case 'sent':
        if (state.status !== 'bounced') Object.assign(state, { status: 'sent', response: e.response, sentAt: e.at, error: undefined, nextAttemptAt: undefined });
        else state.sentAt = e.at;
        break;
      case 'retry':
        if (state.status === 'sending') Object.assign(state, { status: 'queued', error: e.error, nextAttemptAt: e.nextAttemptAt, retriedAt: e.at });
        break;
      case 'failed':
      case 'uncertain':
      case 'skipped':
        if (['queued', 'sending'].includes(state.status)) Object.assign(state, { status: e.event, error: e.error });
        break;
      case 'bounced':
        Object.assign(state, { status: 'bounced', bounceType: e.bounceType, bouncedAt: e.at, error: e.error });
        break;
    }
  }
  return states;
}
const RANK: Record<DeliveryEventKind, number> = { sending: 0, retry: 1, failed: 1, sent: 1, uncertain: 1, skipped: 1, bounced: 2 };
