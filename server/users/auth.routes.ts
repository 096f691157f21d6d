import { Router, type CookieOptions } from 'express';
import type { Config } from '../lib/config.js';
import { AppError, tooManyRequests } from '../lib/errors.js';
import { normalizeEmail } from '../lib/normalize.js';
import { createLimiter, rateLimit } from '../lib/rate-limit.js';
import { parseBody } from '../lib/rest.js';
import { allow, READ } from './auth.middleware.js';
import { closeSession, openSession, SESSION_COOKIE, SESSION_LIFETIME_MS, userForSession } from './auth.service.js';
import { loginBody } from './user.schemas.js';

export function authRoutes(config: Config): Router {
  const cookie: CookieOptions = {
    httpOnly: true,
    sameSite: 'lax',
    secure: config.publicUrl.startsWith('https://'),
    path: '/',
    maxAge: SESSION_LIFETIME_MS,
  };
  const router = Router();

  // Both shared between app processes: per address, every attempt; per account (known or not,
  // so a 429 says nothing about who has one), the failures — a login ends them.
  const perAccount = createLimiter({ name: 'login-account', max: 10, windowMs: 15 * 60_000, shared: true });
  router.post('/login', rateLimit({ name: 'login', max: 10, windowMs: 60_000, shared: true }), async (req, res) => {
    const { email, password } = parseBody(loginBody, req.body);
    const account = normalizeEmail(email);
    const failures = await perAccount.get(account);
    if (failures && failures.remainingPoints === 0) {
      res.set('Retry-After', String(Math.ceil(failures.msBeforeNext / 1000)));
      throw tooManyRequests(failures.msBeforeNext);
    }
    const session = await openSession(email, password, { idleMs: config.sessionIdleMs });
    // One answer for an unknown e-mail and a wrong password.
    if (!session) {
      await perAccount.penalty(account);
      throw new AppError(401, 'invalid_credentials', 'Adresse e-mail ou mot de passe incorrect.');
    }
    await perAccount.delete(account);
    res.cookie(SESSION_COOKIE, session.token, cookie);
    res.json({ user: session.user });
  });

  router.post('/logout', async (req, res) => {
    await closeSession(req.cookies?.[SESSION_COOKIE]);
    res.clearCookie(SESSION_COOKIE, { ...cookie, maxAge: undefined });
    res.json({ ok: true });
  });

  router.get('/me', allow(READ), async (req, res) => {
    res.json({ user: await userForSession(req.cookies?.[SESSION_COOKIE]) });
  });

  return router;
}
