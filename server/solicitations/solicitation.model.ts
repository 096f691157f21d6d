import mongoose, { Schema, type InferSchemaType } from 'mongoose';

/**
 * A solicitation (sollicitation): a request received by the team. `channel`, `requesterType`
 * and `type` are vocabulary codes (solicitationChannels, requesterTypes, solicitationTypes);
 * `isMember` is computed at `receivedAt` from the memberships (the member-state rule).
 */
export const SOLICITATION_STATUSES = ['new', 'in-progress', 'answered', 'closed'] as const;
export type SolicitationStatus = (typeof SOLICITATION_STATUSES)[number];
export const SOLICITATION_STATUS_LABELS: Record<SolicitationStatus, string> = {
  new: 'Nouvelle',
  'in-progress': 'En cours',
  answered: 'Répondue',
  closed: 'Close',
};
export const MESSAGE_MAX = 5000;

/** One e-mail of the conversation: received from the requester, or an answer sent from Maillage. */
const attachmentSchema = new Schema(
  {
    filename: { type: String, required: true },
    contentType: { type: String, default: 'application/octet-stream' },
    size: { type: Number, required: true },
    /** File name under DATA_DIR/solicitations/<solicitation id>/; unset when refused (too large). */
    stored: { type: String },
    refused: { type: String },
  },
  { _id: true },
);
const mailMessageSchema = new Schema(
  {
    direction: { type: String, enum: ['in', 'out'], required: true },
    messageId: { type: String, required: true },
    date: { type: Date, required: true },
    from: { type: String, default: '' },
    to: { type: String, default: '' },
    subject: { type: String, default: '' },
    text: { type: String, default: '' },
    attachments: { type: [attachmentSchema], default: [] },
    sentBy: { type: Schema.Types.ObjectId, ref: 'User' },
  },
  { _id: true },
);
const suggestionSchema = new Schema(
  { type: { type: String }, themes: { type: [Schema.Types.ObjectId], ref: 'Theme', default: [] }, territory: { type: String } },
  { _id: false },
);

const solicitationSchema = new Schema(
  {
    receivedAt: { type: Date, required: true, index: true },
    channel: { type: String, required: true },
    requester: { type: Schema.Types.ObjectId, ref: 'Contact', index: true },
    /** A caller without an e-mail address (no contact record): who they are and how to call back. */
    requesterFirstName: { type: String, trim: true },
    requesterLastName: { type: String, trim: true },
    requesterPhone: { type: String, trim: true },
    requesterType: { type: String },
    organisationName: { type: String, trim: true },
    isMember: { type: Boolean, default: false },
    type: { type: String, index: true },
    subject: { type: String, trim: true, default: '' },
    message: { type: String, default: '' },
    themes: { type: [Schema.Types.ObjectId], ref: 'Theme', default: [] },
    territory: { type: String },
    /** What the requester typed when it named no known territory. */
    territoryLabel: { type: String },
    status: { type: String, enum: SOLICITATION_STATUSES, default: 'new', index: true },
    assignee: { type: Schema.Types.ObjectId, ref: 'User' },
    timeSpentMinutes: { type: Number, min: 0 },
    answer: { type: String, default: '' },
    answeredAt: { type: Date },
    closedAt: { type: Date },
    source: { type: String, enum: ['staff', 'form', 'mailbox'], default: 'staff' },
    /** `S-2026-0042`: quoted in the subject of every e-mail about this request. */
    reference: { type: String },
    /** Something arrived that no staff member has opened yet. */
    unread: { type: Boolean, default: false },
    messages: { type: [mailMessageSchema], default: [] },
    /** What the words of an e-mailed request suggest; staff confirm them into type, themes, territory. */
    suggested: { type: suggestionSchema },
    /** The news item published from this request (job offers, events). */
    newsItem: { type: Schema.Types.ObjectId, ref: 'News' },
    /** When the assignee was last reminded that this request waits. */
    remindedAt: { type: Date },
    createdBy: { type: Schema.Types.ObjectId, ref: 'User' },
    updatedBy: { type: Schema.Types.ObjectId, ref: 'User' },
  },
  { timestamps: true },
);
solicitationSchema.index({ status: 1, receivedAt: -1 });

/**
 * Every Message-ID of a conversation, in and out, and the solicitation it belongs to: threads
 * replies (In-Reply-To, References) and makes reading the mailbox idempotent (`_id` is unique).
 */
const mailThreadSchema = new Schema({ _id: { type: String, required: true }, solicitation: { type: Schema.Types.ObjectId, required: true } }, { versionKey: false });
export const MailThread = mongoose.model('MailThread', mailThreadSchema, 'solicitation_mail_threads');

/** Saved answers staff start from ("Ressources sur les CLS", "Mise en lien"...). */
const answerTemplateSchema = new Schema({ name: { type: String, required: true, trim: true }, body: { type: String, required: true } }, { timestamps: true });
export const AnswerTemplate = mongoose.model('AnswerTemplate', answerTemplateSchema, 'solicitation_answer_templates');

export type SolicitationRecord = InferSchemaType<typeof solicitationSchema> & { _id: mongoose.Types.ObjectId };
export const Solicitation = mongoose.model('Solicitation', solicitationSchema, 'solicitations');
