import { z } from 'zod';
import { objectId } from '../lib/rest.js';
import { personName } from '../delivery/public-mail.js';
import { SUBSCRIPTION_SOURCES, SUBSCRIPTION_STATUSES } from './subscription.model.js';

const text = (max: number) => z.string().trim().max(max, `${max} caractères au plus`);
/** A form field sent once is a string, sent several times an array. */
const many = <T extends z.ZodType>(item: T) => z.preprocess((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]), z.array(item).max(50));

/** The public subscription form (application/x-www-form-urlencoded). `website` is the honeypot. */
export const subscribeForm = z.strictObject({
  email: z.string().trim().max(320).pipe(z.email('adresse e-mail invalide')),
  firstName: personName('Prénom').optional(),
  lastName: personName('Nom').optional(),
  organisation: text(200).optional(),
  function: z.union([z.literal(''), z.string().regex(/^[a-z0-9-]+$/, 'fonction inconnue').max(60)]).optional(),
  territory: text(120).optional(),
  themes: many(z.string().regex(/^[a-f0-9]{24}$/, 'thème inconnu')),
  lists: many(z.string().regex(/^[a-z0-9-]+$/, 'liste inconnue').max(60)),
  website: z.string().max(500).optional(),
});
export type SubscribeForm = z.infer<typeof subscribeForm>;

export const preferencesForm = z.strictObject({
  lists: many(objectId),
  themes: many(objectId),
  action: z.enum(['save', 'leave']).default('save'),
});

export const subscriptionFilter = z.strictObject({
  contact: objectId.optional(),
  list: objectId.optional(),
  status: z.preprocess((v) => (typeof v === 'string' ? [v] : v), z.array(z.enum(SUBSCRIPTION_STATUSES, 'état inconnu'))).optional(),
  source: z.enum(SUBSCRIPTION_SOURCES, 'origine inconnue').optional(),
  id: z.array(objectId).optional(),
});
export type SubscriptionFilter = z.infer<typeof subscriptionFilter>;

export const subscriptionCreateBody = z.strictObject({
  contact: objectId,
  list: objectId,
  status: z.enum(['pending', 'subscribed'], 'état inconnu (pending ou subscribed)').optional(),
  source: z.enum(['staff', 'import'], 'origine inconnue (staff ou import)').optional(),
  /**
   * On a double opt-in list (staff only): `request` e-mails the confirmation link (pending until
   * followed); `existing` records a consent already given, with where it comes from.
   */
  consent: z
    .strictObject({
      mode: z.enum(['request', 'existing'], 'choix inconnu (request ou existing)'),
      evidence: text(300).optional(),
      at: z.iso.date('doit être une date (AAAA-MM-JJ)').optional(),
    })
    .optional(),
});
export type SubscriptionCreateInput = z.infer<typeof subscriptionCreateBody>;

const readOnly = Object.fromEntries(
  ['id', '_id', 'contact', 'list', 'source', 'consent', 'profile', 'createdAt', 'updatedAt', 'unsubscribedAt', 'unsubscribeSource', 'createdBy'].map((f) => [
    f,
    z.unknown().optional(),
  ]),
);
export const subscriptionUpdateBody = z
  .strictObject({ status: z.enum(['subscribed', 'unsubscribed', 'rejected'], 'état inconnu').optional(), ...readOnly })
  .transform(({ status }) => ({ status }));
export type SubscriptionUpdateInput = z.infer<typeof subscriptionUpdateBody>;
