import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { stampOnWrite } from '../lib/stamped-cache.js';
import { SESSIONS_STAMP } from './session.model.js';

export const ROLES = ['admin', 'staff', 'board'] as const;
export type Role = (typeof ROLES)[number];

const userSchema = new Schema(
  {
    email: { type: String, required: true, unique: true, lowercase: true, trim: true },
    name: { type: String, required: true, trim: true },
    role: { type: String, enum: ROLES, required: true },
    passwordHash: { type: String, required: true },
    active: { type: Boolean, default: true },
    lastLoginAt: { type: Date },
  },
  {
    timestamps: true,
    toJSON: {
      virtuals: true,
      versionKey: false,
      transform: (_doc, ret: Record<string, unknown>) => {
        delete ret._id;
        delete ret.passwordHash;
        return ret;
      },
    },
  },
);

// A role change or a deactivation reaches the signed-in cache (auth.service.ts) like a session's end.
stampOnWrite(userSchema, SESSIONS_STAMP);

export type UserRecord = InferSchemaType<typeof userSchema> & { _id: mongoose.Types.ObjectId };
export const User = mongoose.model('User', userSchema, 'users');
