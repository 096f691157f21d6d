import { timingSafeEqual } from 'node:crypto';
import { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { AppError, unauthorized } from '../lib/errors.js';
import { parseBody } from '../lib/rest.js';
import { recordBounce } from './bounce.service.js';

const webhookBody = z.strictObject({
  events: z
    .array(
      z.strictObject({
        type: z.enum(['hard', 'soft', 'complaint'], 'type inconnu (hard, soft ou complaint)'),
        email: z.email('adresse e-mail invalide'),
        messageId: z.string().max(300).optional(),
        reason: z.string().max(500).optional(),
      }),
    )
    .min(1, 'au moins un évènement')
    .max(1000),
});

/**
 * POST /api/webhooks/bounces — bounce and complaint events from an e-mail provider, authenticated
 * by `Authorization: Bearer <BOUNCE_WEBHOOK_SECRET>` (no session). Our Message-ID names the delivery.
 */
export function bounceWebhookRoutes(ctx: AppContext): Router {
  const router = Router();
  router.post('/bounces', async (req, res) => {
    const secret = ctx.config.bounces.webhookSecret;
    if (!secret) throw new AppError(404, 'not_found', 'Aucun webhook de retours configuré.');
    const given = Buffer.from(String(req.headers.authorization ?? '').replace(/^Bearer\s+/i, ''));
    const expected = Buffer.from(secret);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw unauthorized();
    const { events } = parseBody(webhookBody, req.body);
    const outcomes = [];
    for (const e of events) {
      const deliveryId = /^<?([a-f0-9]{24})\.[a-f0-9]{24}@/.exec(e.messageId ?? '')?.[1];
      outcomes.push(await recordBounce(ctx, { kind: e.type, recipient: e.email, deliveryId, reason: e.reason ?? e.type }, 'webhook'));
    }
    res.json({ processed: outcomes.length, outcomes });
  });
  return router;
}
