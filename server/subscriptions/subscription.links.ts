import type { Config } from '../lib/config.js';
import { signToken, verifyToken } from '../lib/tokens.js';

/**
 * Signed links sent by e-mail. Each purpose has its own token kind (a token of one kind is
 * refused by the others); the HMAC over SECRET makes them unforgeable, so nobody can turn
 * their own link into someone else's.
 * - confirm: carries the whole request (nothing is written before the address is proven), 7 days;
 * - unsubscribe: one subscription, no expiry (links in old newsletters keep working);
 * - preferences: one contact, no expiry.
 */
export const CONFIRM_TTL_MS = 7 * 24 * 3600_000;

export type SubscriptionRequest = {
  email: string;
  firstName?: string;
  lastName?: string;
  organisation?: string;
  function?: string;
  territory?: string;
  themes?: string[];
  lists: string[];
  ip?: string;
  at: number;
};

export function confirmUrl(config: Config, request: SubscriptionRequest, now = Date.now()): string {
  const token = signToken(config.secret, { purpose: 'subscription-confirm', subject: JSON.stringify(request), expiresAt: now + CONFIRM_TTL_MS });
  return `${config.publicUrl}/abonnement/confirmer/${token}`;
}

export function readConfirmToken(config: Config, token: string): SubscriptionRequest | undefined {
  const subject = verifyToken(config.secret, 'subscription-confirm', token);
  if (!subject) return undefined;
  try {
    return JSON.parse(subject) as SubscriptionRequest;
  } catch {
    return undefined;
  }
}

export const unsubscribeToken = (config: Config, subscriptionId: string) => signToken(config.secret, { purpose: 'unsubscribe', subject: subscriptionId });
export const unsubscribeUrl = (config: Config, subscriptionId: string, token = unsubscribeToken(config, subscriptionId)) => `${config.publicUrl}/desabonnement/${token}`;
export const readUnsubscribeToken = (config: Config, token: string) => validId(verifyToken(config.secret, 'unsubscribe', token));

export const preferencesUrl = (config: Config, contactId: string) =>
  `${config.publicUrl}/preferences/${signToken(config.secret, { purpose: 'preferences', subject: contactId })}`;
export const readPreferencesToken = (config: Config, token: string) => validId(verifyToken(config.secret, 'preferences', token));

const validId = (value: string | undefined) => (value && /^[a-f0-9]{24}$/.test(value) ? value : undefined);
