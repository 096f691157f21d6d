import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { feedsContactIndex } from '../contacts/contact.store.js';

/**
 * A membership (adhésion): one member — an organisation (personne morale) or a contact
 * (personne physique) — for one calendar year. `memberKey` ("organisation:<id>" or
 * "contact:<id>") carries the one-membership-per-member-per-year unique index: a compound
 * index over two optional fields would let duplicates through on FerretDB/SQLite, where
 * missing values are distinct in a unique index.
 */
export const PAYMENT_STATUSES = ['due', 'paid', 'waived'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];
export const PAYMENT_STATUS_LABELS: Record<PaymentStatus, string> = { due: 'À payer', paid: 'Payée', waived: 'Exonérée' };

export const PAYMENT_METHODS = ['virement', 'cheque', 'carte', 'especes', 'prelevement', 'mandat-administratif', 'autre'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];
export const PAYMENT_METHOD_LABELS: Record<PaymentMethod, string> = {
  virement: 'Virement',
  cheque: 'Chèque',
  carte: 'Carte bancaire',
  especes: 'Espèces',
  prelevement: 'Prélèvement',
  'mandat-administratif': 'Mandat administratif',
  autre: 'Autre',
};

const membershipSchema = new Schema(
  {
    organisation: { type: Schema.Types.ObjectId, ref: 'Organisation', index: true },
    contact: { type: Schema.Types.ObjectId, ref: 'Contact', index: true },
    memberKey: { type: String, required: true },
    year: { type: Number, required: true, index: true },
    category: { type: String, required: true },
    fee: { type: Number, required: true, min: 0 },
    paymentStatus: { type: String, enum: PAYMENT_STATUSES, default: 'due', index: true },
    paidAt: { type: Date },
    paymentMethod: { type: String, enum: PAYMENT_METHODS },
    paymentReference: { type: String, trim: true },
    /** The contact who represents a legal-person member (and sits on the board for it). */
    representative: { type: Schema.Types.ObjectId, ref: 'Contact', index: true },
    /** Board roles held this year by the member (natural person) or its representative. */
    boardRoles: { type: [String], default: [] },
    /** Certificate and receipt number, unique and sequential within `year`; set when paid. */
    certificateNumber: { type: Number },
    notes: { type: String, default: '' },
    createdBy: { type: Schema.Types.ObjectId, ref: 'User' },
    updatedBy: { type: Schema.Types.ObjectId, ref: 'User' },
  },
  { timestamps: true },
);
// the contact filter's `membership` criterion reads these from the contact store's memory: every write is noted
membershipSchema.plugin(feedsContactIndex('memberships'));
membershipSchema.index({ memberKey: 1, year: 1 }, { unique: true });
membershipSchema.index({ year: 1, certificateNumber: 1 });

export type MembershipRecord = InferSchemaType<typeof membershipSchema> & { _id: mongoose.Types.ObjectId };
export const Membership = mongoose.model('Membership', membershipSchema, 'memberships');

/** The fee schedule (barème) of one year: one amount per membership category, and the reminder dates. */
const feeScheduleSchema = new Schema(
  {
    year: { type: Number, required: true, unique: true },
    fees: {
      type: [new Schema({ category: { type: String, required: true }, amount: { type: Number, required: true, min: 0 } }, { _id: false })],
      default: [],
    },
    /** Renewal reminder days (YYYY-MM-DD, Paris time) for this membership year. */
    reminderDates: { type: [String], default: [] },
    notes: { type: String, default: '' },
  },
  { timestamps: true },
);
export type FeeScheduleRecord = InferSchemaType<typeof feeScheduleSchema> & { _id: mongoose.Types.ObjectId };
export const FeeSchedule = mongoose.model('FeeSchedule', feeScheduleSchema, 'fee_schedules');

/** Counters (`certificate-2025` → last number given); see nextCounterValue for why they are not $inc'd. */
const counterSchema = new Schema({ _id: { type: String, required: true }, seq: { type: Number, required: true } }, { versionKey: false });
export const Counter = mongoose.model('Counter', counterSchema, 'counters');

/**
 * One renewal reminder to one member: the unique (memberKey, year, reminderDate) index is
 * what makes "never twice for the same reminder" hold across processes.
 */
export const REMINDER_STATUSES = ['sending', 'sent', 'failed', 'skipped'] as const;
const reminderSchema = new Schema(
  {
    memberKey: { type: String, required: true },
    organisation: { type: Schema.Types.ObjectId, ref: 'Organisation' },
    contact: { type: Schema.Types.ObjectId, ref: 'Contact' },
    membership: { type: Schema.Types.ObjectId, ref: 'Membership' },
    year: { type: Number, required: true },
    reminderDate: { type: String, required: true },
    email: { type: String },
    status: { type: String, enum: REMINDER_STATUSES, required: true },
    error: { type: String },
    sentAt: { type: Date },
  },
  { timestamps: true },
);
reminderSchema.index({ memberKey: 1, year: 1, reminderDate: 1 }, { unique: true });
reminderSchema.index({ year: 1, reminderDate: 1 });
export type ReminderRecord = InferSchemaType<typeof reminderSchema> & { _id: mongoose.Types.ObjectId };
export const MembershipReminder = mongoose.model('MembershipReminder', reminderSchema, 'membership_reminders');
