import { z } from 'zod';
import { objectId } from '../lib/rest.js';

const code = z.string().trim().regex(/^[a-z0-9-]+$/, 'minuscules, chiffres et tirets uniquement').max(60);

export const themeCreateBody = z.strictObject({
  code,
  name: z.string().trim().min(1, 'obligatoire').max(200),
  parent: objectId.nullable().optional(),
  order: z.number().int().optional(),
});

export const themeUpdateBody = themeCreateBody.partial().extend({ id: z.string().optional() }).strip();

export const themeFilter = z.strictObject({
  q: z.string().max(200).optional(),
  parent: objectId.nullable().optional(),
  id: z.array(objectId).max(1000).optional(),
});

export type ThemeCreateInput = z.infer<typeof themeCreateBody>;
export type ThemeUpdateInput = z.infer<typeof themeUpdateBody>;
export type ThemeFilter = z.infer<typeof themeFilter>;
