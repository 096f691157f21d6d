import type { Request, RequestHandler } from 'express';
import mongoose, { Schema } from 'mongoose';
import { randomUUID } from 'node:crypto';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { tooManyRequests } from './errors.js';

/** What a limiter does for a key: count a hit (rejects with a RateLimiterRes past the limit), read, add, forget. */
export interface Limiter {
  consume(key: string): Promise<RateLimiterRes>;
  get(key: string): Promise<RateLimiterRes | null>;
  penalty(key: string): Promise<RateLimiterRes>;
  delete(key: string): Promise<boolean>;
}

export type LimitOptions = {
  name: string;
  max: number;
  windowMs: number;
  /** Counted in the database, so that every app process shares it (login); otherwise in this process's memory. */
  shared?: boolean;
};

/**
 * Public pages count in memory (rate-limiter-flexible): no database work per hit, so a crowd
 * costs nothing but the page. Behind a load balancer each process counts its own hits, which
 * still caps an address at `max` per process.
 */
export function createLimiter(options: LimitOptions): Limiter {
  if (options.shared) return new DatabaseLimiter(options);
  return new RateLimiterMemory({ keyPrefix: options.name, points: options.max, duration: Math.ceil(options.windowMs / 1000) });
}

export const isLimited = (rejection: unknown): rejection is RateLimiterRes => rejection instanceof RateLimiterRes;

/** Express middleware: 429 with Retry-After once an address (or `key(req)`) passes the limit. */
export function rateLimit(options: LimitOptions & { key?: (req: Request) => string }): RequestHandler {
  const limiter = createLimiter(options);
  return async (req, res, next) => {
    const who = options.key ? options.key(req) : (req.ip ?? 'unknown');
    try {
      await limiter.consume(who);
    } catch (rejection) {
      if (!isLimited(rejection)) throw rejection;
      res.set('Retry-After', String(Math.max(1, Math.ceil(rejection.msBeforeNext / 1000))));
      throw tooManyRequests(rejection.msBeforeNext);
    }
    next();
  };
}

/**
 * The shared store: one document per hit, counted over a sliding window. Not rate-limiter-flexible's
 * Mongo store, whose counter is an upserted `$inc`: FerretDB loses concurrent increments (16
 * simultaneous logins on two processes all counted as the first). Inserts never collide, and of
 * n simultaneous hits the k-th to count sees at least k of them. Expired hits are purged by a job
 * (FerretDB has no TTL indexes).
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
  return liveHits(key, windowMs, now);
}

async function liveHits(key: string, windowMs: number, now = new Date()): Promise<{ count: number; resetAt: Date }> {
  const live = { key, resetAt: { $gt: now } };
  const [count, oldest] = await Promise.all([RateCounter.countDocuments(live), RateCounter.findOne(live).sort({ resetAt: 1 }).lean()]);
  return { count, resetAt: oldest?.resetAt ?? new Date(now.getTime() + windowMs) };
}

class DatabaseLimiter implements Limiter {
  constructor(private readonly options: LimitOptions) {}

  async consume(key: string): Promise<RateLimiterRes> {
    const result = this.toRes(await hit(this.keyOf(key), this.options.windowMs));
    if (result.consumedPoints > this.options.max) throw result;
    return result;
  }

  async penalty(key: string): Promise<RateLimiterRes> {
    return this.toRes(await hit(this.keyOf(key), this.options.windowMs));
  }

  async get(key: string): Promise<RateLimiterRes | null> {
    const live = await liveHits(this.keyOf(key), this.options.windowMs);
    return live.count ? this.toRes(live) : null;
  }

  async delete(key: string): Promise<boolean> {
    return (await RateCounter.deleteMany({ key: this.keyOf(key) })).deletedCount > 0;
  }

  private keyOf = (key: string) => `${this.options.name}:${key}`;
  private toRes({ count, resetAt }: { count: number; resetAt: Date }) {
    return new RateLimiterRes(Math.max(0, this.options.max - count), Math.max(0, resetAt.getTime() - Date.now()), count);
  }
}

export async function purgeExpiredCounters(now = new Date()): Promise<number> {
  const { deletedCount } = await RateCounter.deleteMany({ resetAt: { $lte: now } });
  return deletedCount;
}
