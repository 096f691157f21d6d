import { z } from 'zod';
import type { AppContext } from '../context.js';
import { notifyStaff } from '../delivery/staff-notice.js';
import { hit } from '../lib/rate-limit.js';
import { sha256 } from '../lib/tokens.js';

/**
 * Public forms must not turn the app into a mail cannon: what they e-mail goes to the address
 * typed in the form, which may be anyone's. So a name shown in such a mail is letters and
 * common punctuation only (no link), one acknowledgement per address and form in 24 hours,
 * and at most `PUBLIC_MAIL_HOURLY_CAP` of them an hour for the whole site — reaching it alerts
 * staff. Counts are shared by every app process (server/lib/rate-limit.ts's hit store).
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
const HOUR_MS = 3600_000;

/** True when this acknowledgement may leave; false (and said in the log) when the address or the site had its share. */
export async function mayMailFromPublicForm(ctx: Pick<AppContext, 'config' | 'logger'>, form: 'abonnement' | 'sollicitation', to: string): Promise<boolean> {
  const perAddress = await hit(`public-mail:${form}:${sha256(to.trim().toLowerCase())}`, DAY_MS);
  if (perAddress.count > 1) {
    ctx.logger.info({ form }, 'public form e-mail skipped: this address already got one in the last 24 hours');
    return false;
  }
  const cap = ctx.config.publicMailHourlyCap;
  const sitewide = await hit('public-mail:all', HOUR_MS);
  if (sitewide.count <= cap) return true;
  ctx.logger.warn({ form, cap }, 'public form e-mail skipped: hourly cap reached');
  if (sitewide.count === cap + 1) {
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
