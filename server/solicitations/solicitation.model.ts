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
    source: { type: String, enum: ['staff', 'form'], default: 'staff' },
    createdBy: { type: Schema.Types.ObjectId, ref: 'User' },
    updatedBy: { type: Schema.Types.ObjectId, ref: 'User' },
  },
  { timestamps: true },
);
solicitationSchema.index({ status: 1, receivedAt: -1 });

export type SolicitationRecord = InferSchemaType<typeof solicitationSchema> & { _id: mongoose.Types.ObjectId };
export const Solicitation = mongoose.model('Solicitation', solicitationSchema, 'solicitations');
