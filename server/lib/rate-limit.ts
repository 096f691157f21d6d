import type { Request, RequestHandler } from 'express';
import mongoose, { Schema } from 'mongoose';
import { isDuplicateKey, tooManyRequests } from './errors.js';

/**
 * Counters live in the database so that every app process shares them.
 * A window starts at the first hit and lasts `windowMs`; expired counters are purged by a job
 * (FerretDB has no TTL indexes).
 */
const rateCounterSchema = new Schema(
  {
    _id: { type: String, required: true },
    count: { type: Number, required: true },
    resetAt: { type: Date, required: true, index: true },
  },
  { versionKey: false },
);
export const RateCounter = mongoose.model('RateCounter', rateCounterSchema, 'rate_counters');

export async function hit(key: string, windowMs: number, now = new Date()): Promise<{ count: number; resetAt: Date }> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const running = await RateCounter.findOneAndUpdate(
      { _id: key, resetAt: { $gt: now } },
      { $inc: { count: 1 } },
      { returnDocument: 'after' },
    ).lean();
    if (running) return running;
    try {
      const fresh = await RateCounter.findOneAndUpdate(
        { _id: key },
        { $set: { count: 1, resetAt: new Date(now.getTime() + windowMs) } },
        { upsert: true, returnDocument: 'after' },
      ).lean();
      return fresh!;
    } catch (error) {
      if (!isDuplicateKey(error)) throw error; // another process created it first: count again
    }
  }
  throw new Error(`rate limiter could not count ${key}`);
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
