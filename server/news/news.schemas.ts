import { z } from 'zod';
import { objectId } from '../lib/rest.js';

export const httpUrl = z.url({ protocol: /^https?$/, error: 'adresse web invalide (http:// ou https://)' }).max(2000, 'adresse trop longue');

/** An ISO date-time, or a bare date taken as noon UTC (the same day in Paris). */
export const isoDate = z
  .union([z.iso.datetime({ offset: true }), z.iso.date()], { error: 'date invalide (format AAAA-MM-JJ ou ISO 8601)' })
  .transform((value) => new Date(value.length === 10 ? `${value}T12:00:00Z` : value));

const territoryId = z.string().regex(/^(region|departement|epci|commune|qualite)-[0-9A-Za-z-]+$/, 'territoire invalide');

export const newsCreateBody = z.strictObject({
  title: z.string().trim().min(1, 'obligatoire').max(500, 'trop long (500 caractères au plus)'),
  url: httpUrl.nullable().optional(),
  summary: z.string().trim().max(5000, 'trop long (5 000 caractères au plus)').optional(),
  publishedAt: isoDate.optional(),
  category: z.string().trim().min(1, 'obligatoire').max(60),
  themes: z.array(objectId).max(50).optional(),
  territories: z.array(territoryId).max(50).optional(),
  imageUrl: httpUrl.nullable().optional(),
});

export const newsUpdateBody = newsCreateBody.partial().strip();

export const newsFilter = z.strictObject({
  q: z.string().max(200).optional(),
  category: z.string().max(60).optional(),
  themes: z.array(objectId).max(50).optional(),
  territories: z.array(territoryId).max(50).optional(),
  source: z.enum(['manual', 'feed']).optional(),
  publishedAt_gte: isoDate.optional(),
  publishedAt_lte: isoDate.optional(),
  id: z.array(objectId).optional(),
});

export const newsImportBody = z.strictObject({ url: httpUrl });

export const mappingCreateBody = z.strictObject({
  label: z.string().trim().min(1, 'obligatoire').max(200),
  category: z.string().trim().max(60).nullable().optional(),
  themes: z.array(objectId).max(50).optional(),
  territories: z.array(territoryId).max(50).optional(),
});
export const mappingUpdateBody = mappingCreateBody.partial().strip();
export const mappingFilter = z.strictObject({ q: z.string().max(200).optional(), id: z.array(objectId).optional() });

export type NewsCreateInput = z.infer<typeof newsCreateBody>;
export type NewsUpdateInput = z.infer<typeof newsUpdateBody>;
export type NewsFilter = z.infer<typeof newsFilter>;
export type MappingCreateInput = z.infer<typeof mappingCreateBody>;
export type MappingUpdateInput = z.infer<typeof mappingUpdateBody>;
