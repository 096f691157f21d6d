import { randomToken, sha256 } from '../lib/tokens.js';
import { Session } from './session.model.js';
import { User } from './user.model.js';
import { verifyCredentials } from './user.service.js';

export const SESSION_COOKIE = 'maillage_session';
export const SESSION_LIFETIME_MS = 7 * 24 * 3600 * 1000;

export async function openSession(email: string, password: string) {
  const user = await verifyCredentials(email, password);
  if (!user) return undefined;
  const token = randomToken();
  await Session.create({ tokenHash: sha256(token), user: user._id, expiresAt: new Date(Date.now() + SESSION_LIFETIME_MS) });
  user.lastLoginAt = new Date();
  await user.save();
  return { token, user };
}

/** The user behind a session cookie, or undefined; the expiry is checked here on every read. */
export async function userForSession(token: string | undefined) {
  if (!token) return undefined;
  const session = await Session.findOne({ tokenHash: sha256(token), expiresAt: { $gt: new Date() } }).lean();
  if (!session) return undefined;
  const user = await User.findOne({ _id: session.user, active: true });
  return user ?? undefined;
}

export async function closeSession(token: string | undefined): Promise<void> {
  if (token) await Session.deleteOne({ tokenHash: sha256(token) });
}

export async function purgeExpiredSessions(now = new Date()): Promise<number> {
  const { deletedCount } = await Session.deleteMany({ expiresAt: { $lte: now } });
  return deletedCount;
}
