import { z } from 'zod';
import { AUDIENCE_BASES } from '../delivery/audience.js';
import { objectId } from '../lib/rest.js';
import { isoDate } from '../news/news.schemas.js';
import { CAMPAIGN_STATUSES } from './campaign.model.js';

const fields = {
  subject: z.string().trim().min(1, 'obligatoire').max(200, 'trop long (200 caractères au plus)'),
  preheader: z.string().trim().max(200, 'trop long (200 caractères au plus)').optional(),
  fromName: z.string().trim().max(80, 'trop long (80 caractères au plus)').optional(),
  body: z.string().max(100_000, 'trop long (100 000 caractères au plus)').optional(),
  /** A list id or code. */
  list: z.string().trim().min(1).max(60).optional(),
  segment: objectId.nullable().optional(),
  basis: z.enum(AUDIENCE_BASES, 'base légale inconnue (consent ou legitimate-interest)').optional(),
  publish: z.boolean().optional(),
};
const readOnly = Object.fromEntries(
  ['id', '_id', 'status', 'audience', 'approvedAt', 'approvedBy', 'preparationError', 'scheduledAt', 'mailing', 'sendingAt', 'sentAt', 'testSends', 'duplicatedFrom', 'createdBy', 'createdAt', 'updatedAt', 'slug', 'progress', 'figures', 'clicks', 'uncertain', 'listName', 'segmentName'].map((f) => [f, z.unknown().optional()]),
);

export const campaignCreateBody = z.strictObject(fields);
export const campaignUpdateBody = z.strictObject({ ...fields, subject: fields.subject.optional(), ...readOnly });
export const campaignFilter = z.strictObject({
  status: z.array(z.enum(CAMPAIGN_STATUSES, 'état inconnu')).optional(),
  q: z.string().max(200).optional(),
  segment: objectId.optional(),
  id: z.array(objectId).optional(),
});
export const campaignTestBody = z.strictObject({
  emails: z.array(z.email('adresse e-mail invalide').max(320)).min(1, 'au moins une adresse').max(10, '10 adresses au plus'),
});
/** `at`: an ISO instant, or a Paris wall-clock time `YYYY-MM-DDTHH:mm` (what a date-time field gives). */
export const campaignSendBody = z.strictObject({ at: z.union([isoDate, z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, 'date invalide')]).optional() });

/** The live preview of the editor: the text being written, not saved. */
export const campaignPreviewBody = z.strictObject({
  subject: z.string().max(200, 'trop long (200 caractères au plus)').optional(),
  preheader: fields.preheader,
  body: fields.body,
  basis: fields.basis,
  list: fields.list.nullable(),
});

export type CampaignInput = z.infer<typeof campaignUpdateBody>;
export type CampaignFilter = z.infer<typeof campaignFilter>;
export type CampaignPreviewInput = z.infer<typeof campaignPreviewBody>;
