import { randomToken, sha256 } from '../lib/tokens.js';
import { Session } from './session.model.js';
import { User } from './user.model.js';
import { verifyCredentials } from './user.service.js';

export const SESSION_COOKIE = 'maillage_session';
export const SESSION_LIFETIME_MS = 7 * 24 * 3600 * 1000;
export const DEFAULT_IDLE_MS = 8 * 3600 * 1000;
/** A session in use is moved forward at most this often (one write a minute, not one per request). */
const TOUCH_EVERY_MS = 60_000;

export async function openSession(email: string, password: string, options: { idleMs?: number } = {}) {
  const user = await verifyCredentials(email, password);
  if (!user) return undefined;
  const token = randomToken();
  const now = Date.now();
  const idleMs = options.idleMs ?? DEFAULT_IDLE_MS;
  await Session.create({ tokenHash: sha256(token), user: user._id, expiresAt: new Date(now + SESSION_LIFETIME_MS), idleMs, idleUntil: new Date(now + idleMs) });
  user.lastLoginAt = new Date();
  await user.save();
  return { token, user };
}

/** The user behind a session cookie, or undefined; both ends (lifetime, idle time) are checked here on every read. */
export async function userForSession(token: string | undefined) {
  if (!token) return undefined;
  const now = new Date();
  const session = await Session.findOne({ tokenHash: sha256(token), expiresAt: { $gt: now }, idleUntil: { $gt: now } }).lean();
  if (!session) return undefined;
  const user = await User.findOne({ _id: session.user, active: true });
  if (user && session.idleUntil.getTime() - now.getTime() < session.idleMs - TOUCH_EVERY_MS) {
    await Session.updateOne({ _id: session._id }, { $set: { idleUntil: new Date(now.getTime() + session.idleMs) } });
  }
  return user ?? undefined;
}

export async function closeSession(token: string | undefined): Promise<void> {
  if (token) await Session.deleteOne({ tokenHash: sha256(token) });
}

export async function purgeExpiredSessions(now = new Date()): Promise<number> {
  const { deletedCount } = await Session.deleteMany({ $or: [{ expiresAt: { $lte: now } }, { idleUntil: { $lte: now } }] });
  return deletedCount;
}
