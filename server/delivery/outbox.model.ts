import mongoose, { Schema } from 'mongoose';

/**
 * Without SMTP_URL outside production, every message lands here instead of an SMTP server;
 * staff read it through GET /api/outbox. Header names never contain '.' or start with '$'.
 */
const outboxSchema = new Schema(
  {
    stream: { type: String, enum: ['bulk', 'transactional'], required: true },
    from: { type: String, required: true },
    to: { type: String, required: true, index: true },
    subject: { type: String, default: '' },
    html: { type: String, default: '' },
    text: { type: String, default: '' },
    messageId: { type: String },
    envelopeFrom: { type: String },
    headers: { type: Schema.Types.Mixed, default: {} },
    attachments: { type: [new Schema({ filename: String, contentType: String, content: String }, { _id: false })], default: undefined },
  },
  { timestamps: true },
);
outboxSchema.index({ createdAt: -1 });

export const Outbox = mongoose.model('Outbox', outboxSchema, 'outbox');
