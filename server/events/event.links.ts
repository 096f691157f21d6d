import type { Config } from '../lib/config.js';
import { signToken, verifyToken } from '../lib/tokens.js';

/**
 * Signed links of a registration (see lib/tokens.ts): cancelling, with no expiry; the
 * evaluation questionnaire, 60 days, usable once (the claim is recorded, not the link).
 */
const EVALUATION_TTL_MS = 60 * 24 * 3600_000;
const validId = (value: string | undefined) => (value && /^[a-f0-9]{24}$/.test(value) ? value : undefined);

export const eventPageUrl = (config: Config, slug: string, invitationCode?: string | null) =>
  `${config.publicUrl}/rencontres/${slug}${invitationCode ? `?code=${encodeURIComponent(invitationCode)}` : ''}`;

export const cancelUrl = (config: Config, registrationId: string) =>
  `${config.publicUrl}/rencontres/annulation/${signToken(config.secret, { purpose: 'event-cancel', subject: registrationId })}`;
export const readCancelToken = (config: Config, token: string) => validId(verifyToken(config.secret, 'event-cancel', token));

export const evaluationUrl = (config: Config, registrationId: string, now = Date.now()) =>
  `${config.publicUrl}/rencontres/evaluation/${signToken(config.secret, { purpose: 'event-evaluation', subject: registrationId, expiresAt: now + EVALUATION_TTL_MS })}`;
export const readEvaluationToken = (config: Config, token: string) => validId(verifyToken(config.secret, 'event-evaluation', token));
