import { z } from 'zod';
import { objectId } from '../lib/rest.js';
import { isoDate } from '../news/news.schemas.js';
import { MONTH_PATTERN } from './month.js';
import { NEWSLETTER_STATUSES } from './newsletter.model.js';

const month = z.string().regex(MONTH_PATTERN, 'mois invalide (format AAAA-MM)');

export const compileBody = z.strictObject({ month });

export const newsletterUpdateBody = z
  .object({
    subject: z.string().trim().max(200, 'trop long (200 caractères au plus)').nullable().optional(),
    editorial: z.string().max(20_000, 'trop long (20 000 caractères au plus)').optional(),
    items: z.array(objectId).max(2000).optional(),
    excluded: z.array(objectId).max(2000).optional(),
    list: z.string().trim().min(1).max(60).optional(),
    segment: objectId.nullable().optional(),
  })
  .strip();

export const testBody = z.strictObject({
  emails: z.array(z.email('adresse e-mail invalide').max(320)).min(1, 'au moins une adresse').max(10, '10 adresses au plus'),
});

export const sendBody = z.strictObject({ at: isoDate.optional() });

export const newsletterFilter = z.strictObject({
  status: z.enum(NEWSLETTER_STATUSES).optional(),
  month: month.optional(),
  id: z.array(objectId).optional(),
});

export type NewsletterUpdateInput = z.infer<typeof newsletterUpdateBody>;
export type NewsletterFilter = z.infer<typeof newsletterFilter>;
