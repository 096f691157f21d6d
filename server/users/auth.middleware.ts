import type { RequestHandler } from 'express';
import { forbidden, unauthorized } from '../lib/errors.js';
import { actorForSession, SESSION_COOKIE } from './auth.service.js';
import type { Role } from './user.model.js';
import type { Actor } from './user.service.js';

/** Who may do what: every route names one of these. */
export const READ: readonly Role[] = ['admin', 'staff', 'board'];
export const WRITE: readonly Role[] = ['admin', 'staff'];
export const ADMIN: readonly Role[] = ['admin'];

export function actorOf(res: { locals: Record<string, unknown> }): Actor {
  return res.locals.actor as Actor;
}

export function allow(roles: readonly Role[]): RequestHandler {
  return async (req, res, next) => {
    const actor = await actorForSession(req.cookies?.[SESSION_COOKIE]);
    if (!actor) throw unauthorized();
    if (!roles.includes(actor.role)) throw forbidden();
    res.locals.actor = actor;
    next();
  };
}
