import mongoose, { Schema, type InferSchemaType } from 'mongoose';

/**
 * Rencontres: an event, its registrations, the seats that bound its capacity and the
 * anonymous answers to its evaluation questionnaire. Dates are typed in Paris wall-clock time
 * (`start`, `end` = "YYYY-MM-DDTHH:mm", what a calendar shows) and kept as instants too.
 */
export const EVENT_KINDS = ['rencontre-nationale', 'rencontre-regionale', 'webinaire', 'journee-echanges', 'formation', 'reunion-statutaire'] as const;
export const EVENT_KIND_LABELS: Record<(typeof EVENT_KINDS)[number], string> = {
  'rencontre-nationale': 'Rencontre nationale',
  'rencontre-regionale': 'Rencontre régionale',
  webinaire: 'Webinaire',
  'journee-echanges': "Journée d'échanges",
  formation: 'Formation',
  'reunion-statutaire': 'Réunion statutaire',
};
export const QUESTION_KINDS = ['text', 'choice', 'yesno'] as const;
/** Evaluation questions: a 1–5 rating, or a yes/no ("J'ai mieux compris le sujet"). */
export const EVALUATION_KINDS = ['rating', 'yesno'] as const;

const questionSchema = new Schema(
  {
    key: { type: String, required: true },
    label: { type: String, required: true },
    kind: { type: String, enum: QUESTION_KINDS, default: 'text' },
    choices: { type: [String], default: [] },
    required: { type: Boolean, default: false },
  },
  { _id: false },
);

/** A question of the evaluation questionnaire: rated 1–5, or answered yes or no. */
const evaluationQuestionSchema = new Schema(
  { key: { type: String, required: true }, label: { type: String, required: true }, kind: { type: String, enum: EVALUATION_KINDS, default: 'rating' } },
  { _id: false },
);

const eventSchema = new Schema(
  {
    title: { type: String, required: true, trim: true },
    slug: { type: String, required: true, unique: true },
    kind: { type: String, enum: EVENT_KINDS, required: true },
    start: { type: String, required: true },
    end: { type: String, required: true },
    startsAt: { type: Date, required: true },
    endsAt: { type: Date, required: true },
    place: { type: String, default: '' },
    /** Sent only to confirmed registrants (confirmation, reminder), never shown on the public page. */
    visioUrl: { type: String, default: '' },
    description: { type: String, default: '' },
    programmeUrl: { type: String, default: '' },
    /** Unset: no limit. */
    capacity: { type: Number, min: 1 },
    /** Paris wall clock, like `start`; unset: open now / until the event starts. */
    registrationOpens: { type: String },
    registrationCloses: { type: String },
    coOrganisers: { type: [Schema.Types.ObjectId], ref: 'Organisation', default: [] },
    themes: { type: [Schema.Types.ObjectId], ref: 'Theme', default: [] },
    territory: { type: String },
    access: { type: String, enum: ['public', 'invitation'], default: 'public' },
    /** By invitation: the public page asks for this code (carried by the invitation link). */
    invitationCode: { type: String },
    questions: { type: [questionSchema], default: [] },
    evaluationQuestions: { type: [evaluationQuestionSchema], default: [] },
    evaluationSentAt: { type: Date },
    createdBy: { type: Schema.Types.ObjectId, ref: 'User' },
    updatedBy: { type: Schema.Types.ObjectId, ref: 'User' },
  },
  { timestamps: true },
);
export type EventRecord = InferSchemaType<typeof eventSchema> & { _id: mongoose.Types.ObjectId };
export const Event = mongoose.model('Event', eventSchema, 'events');

/** The seat state of a registration; attendance (present, absent) is kept beside it. */
export const REGISTRATION_STATUSES = ['registered', 'waiting', 'cancelled'] as const;
export type RegistrationStatus = (typeof REGISTRATION_STATUSES)[number];
/** The status as the API names it (shared/API.md): a registered person is present or absent once ticked. */
export const API_REGISTRATION_STATUSES = [...REGISTRATION_STATUSES, 'present', 'absent'] as const;
export type ApiRegistrationStatus = (typeof API_REGISTRATION_STATUSES)[number];
export const REGISTRATION_STATUS_LABELS: Record<ApiRegistrationStatus, string> = {
  registered: 'Inscrit·e',
  waiting: "Liste d'attente",
  cancelled: 'Annulé',
  present: 'Présent·e',
  absent: 'Absent·e',
};
export const apiStatus = (r: { status: string; attendance?: string | null }): ApiRegistrationStatus =>
  (r.status === 'registered' && r.attendance ? r.attendance : r.status) as ApiRegistrationStatus;

const registrationSchema = new Schema(
  {
    event: { type: Schema.Types.ObjectId, ref: 'Event', required: true },
    contact: { type: Schema.Types.ObjectId, ref: 'Contact', required: true },
    /** `event:contact`: one registration per person and event (a single unique field: FerretDB/SQLite). */
    key: { type: String, required: true, unique: true },
    email: { type: String, required: true },
    firstName: { type: String, default: '' },
    lastName: { type: String, default: '' },
    /** What the registrant declared; the contact's staff-qualified fields are never overwritten by it. */
    organisationName: { type: String, default: '' },
    organisationType: { type: String },
    function: { type: String },
    territory: { type: String },
    territoryLabel: { type: String, default: '' },
    dispositifs: { type: [String], default: [] },
    accessibilityNeeds: { type: String, default: '' },
    answers: { type: [new Schema({ key: String, value: String }, { _id: false })], default: [] },
    newsletterConsent: { type: Boolean, default: false },
    /** The registration brought this contact into the base. */
    newContact: { type: Boolean, default: false },
    status: { type: String, enum: REGISTRATION_STATUSES, required: true },
    registeredAt: { type: Date, required: true },
    confirmedAt: { type: Date },
    promotedAt: { type: Date },
    cancelledAt: { type: Date },
    attendance: { type: String, enum: ['present', 'absent'] },
    checkedInAt: { type: Date },
    minutesConnected: { type: Number },
    /** The status the person was last told by e-mail (see notifyStatus). */
    notifiedStatus: { type: String },
    reminderSentAt: { type: Date },
    evaluationSentAt: { type: Date },
    erasedAt: { type: Date },
  },
  { timestamps: true },
);
export type RegistrationRecord = InferSchemaType<typeof registrationSchema> & { _id: mongoose.Types.ObjectId };
export const Registration = mongoose.model('Registration', registrationSchema, 'event_registrations');

/**
 * A confirmed place: `_id` = `event:n` (n from 1 to the capacity). The unique `_id` is what
 * bounds the capacity under concurrent registrations (FerretDB has no transactions and its
 * `$inc` through findAndModify is not atomic), and the unique `registration` gives a person
 * at most one seat even when two promotions race.
 */
const seatSchema = new Schema(
  {
    _id: { type: String, required: true },
    event: { type: Schema.Types.ObjectId, required: true },
    registration: { type: Schema.Types.ObjectId, required: true, unique: true },
  },
  { versionKey: false },
);
export const EventSeat = mongoose.model('EventSeat', seatSchema, 'event_seats');

/** One-time use of an evaluation link: `_id` = the registration; kept apart from the answers. */
const evaluationClaimSchema = new Schema({ _id: { type: String, required: true }, at: { type: Date, required: true } }, { versionKey: false });
export const EvaluationClaim = mongoose.model('EvaluationClaim', evaluationClaimSchema, 'event_evaluation_claims');

/** Anonymous answers: no registration, contact or time is stored with them. */
const evaluationSchema = new Schema(
  {
    event: { type: Schema.Types.ObjectId, ref: 'Event', required: true },
    ratings: { type: [new Schema({ key: String, value: Number }, { _id: false })], default: [] },
    yesNo: { type: [new Schema({ key: String, value: Boolean }, { _id: false })], default: [] },
    comment: { type: String, default: '' },
  },
  { versionKey: false },
);
export const EventEvaluation = mongoose.model('EventEvaluation', evaluationSchema, 'event_evaluations');
