import { randomToken, sha256 } from '../lib/tokens.js';
import { StampedCache } from '../lib/stamped-cache.js';
import { Session, SESSIONS_STAMP, type SessionRecord } from './session.model.js';
import { User } from './user.model.js';
import { verifyCredentials, type Actor } from './user.service.js';

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

type SignedIn = { session: SessionRecord; actor: Actor };

/**
 * Sessions in use and their users, kept between requests (every API request asks): any write to
 * a session or a user clears it, at once in this process, within 2 s in another (the stamp).
 */
const signedIn = new StampedCache<SignedIn>(SESSIONS_STAMP, 2000);

async function readSignedIn(tokenHash: string): Promise<SignedIn | undefined> {
  const session = await Session.findOne({ tokenHash }).lean<SessionRecord>();
  const user = session && (await User.findOne({ _id: session.user, active: true }).lean());
  return user ? { session: session!, actor: Object.freeze({ id: String(user._id), role: user.role, name: user.name }) } : undefined;
}

/** Who is behind a session cookie, or undefined; both ends (lifetime, idle time) are checked on every request. */
export async function actorForSession(token: string | undefined): Promise<Actor | undefined> {
  if (!token) return undefined;
  const tokenHash = sha256(token);
  const found = await signedIn.get(tokenHash, () => readSignedIn(tokenHash));
  if (!found) return undefined;
  const { session } = found;
  const now = Date.now();
  if (session.expiresAt.getTime() <= now || session.idleUntil.getTime() <= now) return undefined;
  if (session.idleUntil.getTime() - now < session.idleMs - TOUCH_EVERY_MS) {
    // Moved in memory first: the requests arriving during the write do not write again.
    session.idleUntil = new Date(now + session.idleMs);
    await Session.updateOne({ _id: session._id }, { $set: { idleUntil: session.idleUntil } });
  }
  return found.actor;
}

/** The account behind a session cookie (the `/me` answer), or undefined. */
export async function userForSession(token: string | undefined) {
  const actor = await actorForSession(token);
  return actor && ((await User.findOne({ _id: actor.id, active: true })) ?? undefined);
}

export async function closeSession(token: string | undefined): Promise<void> {
  if (token) await Session.deleteOne({ tokenHash: sha256(token) });
}

export async function purgeExpiredSessions(now = new Date()): Promise<number> {
  const { deletedCount } = await Session.deleteMany({ $or: [{ expiresAt: { $lte: now } }, { idleUntil: { $lte: now } }] });
  return deletedCount;
}
