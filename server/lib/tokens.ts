import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Signed tokens for links sent by e-mail (confirm, preferences, unsubscribe).
 * A token binds a purpose, a subject id and an expiry; the HMAC makes it unforgeable and
 * the purpose prevents turning one kind of token into another.
 */
export type TokenPayload = { purpose: string; subject: string; expiresAt?: number };

export function signToken(secret: string, payload: TokenPayload): string {
  const body = Buffer.from(JSON.stringify([payload.purpose, payload.subject, payload.expiresAt ?? 0])).toString('base64url');
  return `${body}.${mac(secret, body)}`;
}

/** Returns the subject, or undefined for a forged, expired or other-purpose token. */
export function verifyToken(secret: string, purpose: string, token: string, now = Date.now()): string | undefined {
  const [body, signature] = token.split('.');
  if (!body || !signature) return undefined;
  const expected = Buffer.from(mac(secret, body));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
  try {
    const [tokenPurpose, subject, expiresAt] = JSON.parse(Buffer.from(body, 'base64url').toString()) as [string, string, number];
    if (tokenPurpose !== purpose) return undefined;
    if (expiresAt && expiresAt < now) return undefined;
    return subject;
  } catch {
    return undefined;
  }
}

function mac(secret: string, body: string): string {
  return createHmac('sha256', secret).update(body).digest('base64url');
}

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}
