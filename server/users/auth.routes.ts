import { Router, type CookieOptions } from 'express';
import type { Config } from '../lib/config.js';
import { AppError } from '../lib/errors.js';
import { rateLimit } from '../lib/rate-limit.js';
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

  router.post('/login', rateLimit({ name: 'login', max: 10, windowMs: 60_000 }), async (req, res) => {
    const { email, password } = parseBody(loginBody, req.body);
    const session = await openSession(email, password);
    // One answer for an unknown e-mail and a wrong password.
    if (!session) throw new AppError(401, 'invalid_credentials', 'Adresse e-mail ou mot de passe incorrect.');
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
