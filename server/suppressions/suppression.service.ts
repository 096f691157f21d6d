import { normalizeEmail } from '../lib/normalize.js';
import { sha256 } from '../lib/tokens.js';
import { Suppression, type SuppressionReason } from './suppression.model.js';

/** The one way an address is hashed for the suppression list. */
export function emailHash(email: string): string {
  return sha256(`maillage-suppression:${normalizeEmail(email)}`);
}

export async function suppress(email: string, reason: SuppressionReason, source?: string): Promise<void> {
  await Suppression.updateOne({ emailHash: emailHash(email) }, { $set: { reason, source } }, { upsert: true });
}

export async function isSuppressed(email: string): Promise<boolean> {
  return Boolean(await Suppression.exists({ emailHash: emailHash(email) }));
}

/** Of the given addresses, those that are suppressed (normalised). */
export async function suppressedAmong(emails: readonly string[]): Promise<Set<string>> {
  return new Set((await suppressionReasons(emails)).keys());
}

/** Of the given addresses, those that are suppressed (normalised) → why. */
export async function suppressionReasons(emails: readonly string[]): Promise<Map<string, SuppressionReason>> {
  const byHash = new Map(emails.map((email) => [emailHash(email), normalizeEmail(email)]));
  const found = await Suppression.find({ emailHash: { $in: [...byHash.keys()] } }, { emailHash: 1, reason: 1 }).lean();
  return new Map(found.map((s) => [byHash.get(s.emailHash)!, s.reason as SuppressionReason]));
}

/** The whole list, read once, for a run that checks many addresses (an import). */
export async function loadSuppressionList(): Promise<{ has(email: string): boolean }> {
  const hashes = new Set((await Suppression.find({}, { emailHash: 1 }).lean()).map((s) => s.emailHash));
  return { has: (email) => hashes.has(emailHash(email)) };
}

/** A new explicit consent (confirmed double opt-in) lifts the suppression. */
export async function liftSuppression(email: string): Promise<void> {
  await Suppression.deleteOne({ emailHash: emailHash(email) });
}
