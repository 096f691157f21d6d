import { z } from 'zod';
import type { AppContext } from '../context.js';
import { notifyStaff } from './staff-notice.js';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { isDuplicateKey } from '../lib/db.js';
import { isLimited, RateCounter } from '../lib/rate-limit.js';
import { sha256 } from '../lib/tokens.js';

/**
 * Public forms must not turn the app into a mail cannon: what they e-mail goes to the address
 * typed in the form, which may be anyone's. So a name shown in such a mail is letters and
 * common punctuation only (no link), one acknowledgement per address and form in 24 hours,
 * and at most `PUBLIC_MAIL_HOURLY_CAP` of them an hour per app process — reaching it alerts
 * staff once an hour.
 */
const NAME = /^[\p{L}\p{M}][\p{L}\p{M} '’.-]*$/u;
const LOOKS_LIKE_A_DOMAIN = /[\p{L}\d]\.[\p{L}]{2,}/u;

export const isPlainName = (value: string) => NAME.test(value) && !LOOKS_LIKE_A_DOMAIN.test(value);

/** A first or last name field of a public form. */
export const personName = (label: string) =>
  z
    .string()
    .trim()
    .max(100, `Le champ « ${label} » ne doit pas dépasser 100 caractères.`)
    .refine((value) => value === '' || isPlainName(value), `Le champ « ${label} » ne peut contenir que des lettres, des espaces, des apostrophes, des points et des tirets.`);

const DAY_MS = 24 * 3600_000;
/** Per process: a crowd must cost no database count (FerretDB/SQLite cannot index one). */
const sitewideLimiters = new Map<number, RateLimiterMemory>();
/** Per cap, the hour whose alert this process has already claimed (one claim per hour for all processes, in the database). */
const alertedHours = new Map<number, string>();

/** True when this acknowledgement may leave; false (and said in the log) when the address or the site had its share. */
export async function mayMailFromPublicForm(ctx: Pick<AppContext, 'config' | 'logger'>, form: 'abonnement' | 'sollicitation', to: string): Promise<boolean> {
  const now = new Date();
  // One claim per address, form and day: an insert with a unique _id (purged with the rate-limit hits).
  if (!(await claimForADay(`public-mail:${form}:${sha256(to.trim().toLowerCase())}:${now.toISOString().slice(0, 10)}`, now))) {
    ctx.logger.info({ form }, 'public form e-mail skipped: this address already got one today');
    return false;
  }
  const cap = ctx.config.publicMailHourlyCap;
  if (!sitewideLimiters.has(cap)) sitewideLimiters.set(cap, new RateLimiterMemory({ keyPrefix: 'public-mail', points: cap, duration: 3600 }));
  try {
    await sitewideLimiters.get(cap)!.consume('all');
    return true;
  } catch (rejection) {
    if (!isLimited(rejection)) throw rejection;
  }
  const hour = now.toISOString().slice(0, 13);
  if (alertedHours.get(cap) === hour) return false; // past the cap, a crowd costs this process no database write nor log line
  ctx.logger.warn({ form, cap }, 'public form e-mail skipped: hourly cap reached');
  const claimed = await claimForADay(`public-mail-alert:${hour}`, now);
  alertedHours.set(cap, hour);
  if (claimed) {
    await notifyStaff(ctx, {
      title: 'Formulaires publics : plafond d’e-mails atteint',
      paragraphs: [
        `Les formulaires publics (abonnement, sollicitation) ont demandé plus de ${cap} e-mails de confirmation ou d’accusé de réception au cours de la dernière heure.`,
        'Les suivants ne sont pas envoyés tant que le rythme ne redescend pas sous ce plafond (PUBLIC_MAIL_HOURLY_CAP). Les demandes elles-mêmes restent enregistrées.',
        'Un tel afflux vient souvent d’un robot qui utilise le formulaire pour écrire à des tiers.',
      ],
    });
  }
  return false;
}

async function claimForADay(id: string, now: Date): Promise<boolean> {
  try {
    await RateCounter.create({ _id: id, resetAt: new Date(now.getTime() + DAY_MS) });
    return true;
  } catch (error) {
    if (isDuplicateKey(error)) return false;
    throw error;
  }
}
