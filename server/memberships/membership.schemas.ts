import { z } from 'zod';
import { objectId } from '../lib/rest.js';
import { PAYMENT_METHODS, PAYMENT_STATUSES } from './membership.model.js';

const year = z.number('doit être une année (nombre)').int('doit être une année entière').min(2000, 'année trop ancienne').max(2100, 'année trop lointaine');
const code = z.string('doit être un code').regex(/^[a-z0-9-]+$/, 'code invalide').max(60, 'code trop long');
const amount = z.number('doit être un montant en euros (nombre)').min(0, 'ne peut pas être négatif').max(1_000_000, 'montant trop élevé');
const id = z.string('doit être un identifiant').pipe(objectId);
const day = z.string('doit être une date AAAA-MM-JJ').regex(/^\d{4}-\d{2}-\d{2}$/, 'doit être une date AAAA-MM-JJ');
const isoDate = z.iso.datetime({ offset: true, message: 'doit être une date ISO' }).or(day).transform((value) => new Date(value));

export const feeScheduleBody = z.strictObject({
  year,
  fees: z.array(z.strictObject({ category: code, amount }), 'doit être une liste de tarifs').max(50, 'trop de tarifs'),
  reminderDates: z.array(day, 'doit être une liste de dates').max(12, 'au plus 12 relances').optional(),
  notes: z.string('doit être un texte').max(2000, 'trop long').optional(),
});
export const feeScheduleUpdateBody = feeScheduleBody.omit({ year: true }).partial().extend({ year: year.optional() });
export const feeScheduleFilter = z.strictObject({ year: year.optional(), id: z.array(objectId).optional() });

const membershipFields = {
  organisation: id.optional(),
  contact: id.optional(),
  year,
  category: code,
  fee: amount.optional(),
  paymentStatus: z.enum(PAYMENT_STATUSES, 'doit être due, paid ou waived').optional(),
  paidAt: isoDate.optional(),
  paymentMethod: z.enum(PAYMENT_METHODS, 'mode de paiement inconnu').optional(),
  paymentReference: z.string('doit être un texte').trim().max(200, 'trop long').optional(),
  representative: id.nullable().optional(),
  boardRoles: z.array(code, 'doit être une liste de rôles').max(10, 'trop de rôles').optional(),
  notes: z.string('doit être un texte').max(5000, 'trop long').optional(),
};
export const membershipCreateBody = z.strictObject(membershipFields);
/** The member of a membership never changes: delete and recreate instead. */
export const membershipUpdateBody = z
  .object(membershipFields)
  .omit({ organisation: true, contact: true })
  .partial()
  .strip();
export const paymentBody = z.strictObject({
  paidAt: isoDate.optional(),
  paymentMethod: z.enum(PAYMENT_METHODS, 'mode de paiement inconnu'),
  paymentReference: z.string('doit être un texte').trim().max(200, 'trop long').optional(),
});

export const membershipFilter = z.strictObject({
  year: year.optional(),
  paymentStatus: z.enum(PAYMENT_STATUSES).optional(),
  category: code.optional(),
  memberKind: z.enum(['organisation', 'contact']).optional(),
  organisation: objectId.optional(),
  contact: objectId.optional(),
  representative: objectId.optional(),
  boardRole: code.optional(),
  id: z.array(objectId).optional(),
});
export const reminderFilter = z.strictObject({
  year: year.optional(),
  reminderDate: day.optional(),
  status: z.enum(['sending', 'sent', 'failed', 'skipped']).optional(),
  memberKey: z.string().max(100).optional(),
  membership: objectId.optional(),
});
export const memberQuery = z
  .strictObject({ organisation: objectId.optional(), contact: objectId.optional() })
  .refine((q) => !!q.organisation !== !!q.contact, { message: 'indiquez une organisation ou un contact', path: ['organisation'] });
export const stateQuery = z.strictObject({ at: isoDate.optional() });
export const yearQuery = z.strictObject({ year: z.coerce.number('doit être une année').int().min(2000).max(2100) });

export type FeeScheduleInput = z.infer<typeof feeScheduleBody>;
export type MembershipCreateInput = z.infer<typeof membershipCreateBody>;
export type MembershipUpdateInput = z.infer<typeof membershipUpdateBody>;
export type PaymentInput = z.infer<typeof paymentBody>;
export type MembershipFilter = z.infer<typeof membershipFilter>;
