import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { stampOnWrite } from '../lib/stamped-cache.js';

/**
 * A staff session; only the hash of the cookie value is stored. It ends at `expiresAt` (7 days
 * after login) or at `idleUntil` (moved forward on use, `idleMs` after the last request).
 * Ended ones are purged by a job.
 */
const sessionSchema = new Schema(
  {
    tokenHash: { type: String, required: true, unique: true },
    user: { type: Schema.Types.ObjectId, ref: 'User', required: true, index: true },
    expiresAt: { type: Date, required: true, index: true },
    idleMs: { type: Number, required: true },
    idleUntil: { type: Date, required: true },
  },
  { timestamps: true, versionKey: false },
);

/** Changed by every write of a session or a user: the signed-in cache of auth.service.ts follows it. */
export const SESSIONS_STAMP = 'sessions';
stampOnWrite(sessionSchema, SESSIONS_STAMP);

export type SessionRecord = InferSchemaType<typeof sessionSchema> & { _id: mongoose.Types.ObjectId };
export const Session = mongoose.model('Session', sessionSchema, 'sessions');
