import type { Request, RequestHandler } from 'express';
import mongoose, { Schema } from 'mongoose';
import { randomUUID } from 'node:crypto';
import { tooManyRequests } from './errors.js';

/**
 * Hits live in the database so that every app process shares them: one document per hit,
 * counted over a sliding window. Not a counter with `$inc`: FerretDB over PostgreSQL loses
 * concurrent increments (16 simultaneous logins on two processes all counted as the first).
 * Inserts never collide, and of n simultaneous hits the k-th to count sees at least k of them.
 * Expired hits are purged by a job (FerretDB has no TTL indexes).
 */
const rateCounterSchema = new Schema(
  {
    _id: { type: String, required: true },
    key: { type: String },
    count: { type: Number }, // counters of earlier versions, left to expire
    resetAt: { type: Date, required: true, index: true },
  },
  { versionKey: false },
);
rateCounterSchema.index({ key: 1, resetAt: 1 });
export const RateCounter = mongoose.model('RateCounter', rateCounterSchema, 'rate_counters');

/** Records a hit; returns the hits of the last `windowMs` and when the oldest of them expires. */
export async function hit(key: string, windowMs: number, now = new Date()): Promise<{ count: number; resetAt: Date }> {
  await RateCounter.create({ _id: `${key}|${randomUUID()}`, key, resetAt: new Date(now.getTime() + windowMs) });
  const live = { key, resetAt: { $gt: now } };
  const [count, oldest] = await Promise.all([RateCounter.countDocuments(live), RateCounter.findOne(live).sort({ resetAt: 1 }).lean()]);
  return { count, resetAt: oldest?.resetAt ?? new Date(now.getTime() + windowMs) };
}

export function rateLimit(options: { name: string; max: number; windowMs: number; key?: (req: Request) => string }): RequestHandler {
  return async (req, res, next) => {
    const who = options.key ? options.key(req) : (req.ip ?? 'unknown');
    const { count, resetAt } = await hit(`${options.name}:${who}`, options.windowMs);
    if (count > options.max) {
      res.set('Retry-After', String(Math.max(1, Math.ceil((resetAt.getTime() - Date.now()) / 1000))));
      throw tooManyRequests();
    }
    next();
  };
}

export async function purgeExpiredCounters(now = new Date()): Promise<number> {
  const { deletedCount } = await RateCounter.deleteMany({ resetAt: { $lte: now } });
  return deletedCount;
}
