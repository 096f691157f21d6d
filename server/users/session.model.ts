import mongoose, { Schema } from 'mongoose';

/** A staff session; only the hash of the cookie value is stored. Expired ones are purged by a job. */
const sessionSchema = new Schema(
  {
    tokenHash: { type: String, required: true, unique: true },
    user: { type: Schema.Types.ObjectId, ref: 'User', required: true, index: true },
    expiresAt: { type: Date, required: true, index: true },
  },
  { timestamps: true, versionKey: false },
);

export const Session = mongoose.model('Session', sessionSchema, 'sessions');
