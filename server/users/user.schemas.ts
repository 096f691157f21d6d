import { z } from 'zod';
import { ROLES } from './user.model.js';

const password = z.string().min(12, 'au moins 12 caractères').max(200, 'trop long');

export const loginBody = z.object({
  email: z.string().trim().min(1, 'obligatoire').max(320),
  password: z.string().min(1, 'obligatoire').max(200),
});

export const userCreateBody = z.strictObject({
  email: z.email('adresse e-mail invalide').max(320),
  name: z.string().trim().min(1, 'obligatoire').max(200),
  role: z.enum(ROLES, 'rôle inconnu'),
  password,
  active: z.boolean().optional(),
});

export const userUpdateBody = userCreateBody.partial().extend({ password: password.optional() }).strip();

export const userFilter = z.strictObject({
  q: z.string().max(200).optional(),
  role: z.enum(ROLES).optional(),
  id: z.array(z.string().regex(/^[a-f0-9]{24}$/i, 'identifiant invalide')).optional(),
});

export type UserCreateInput = z.infer<typeof userCreateBody>;
export type UserUpdateInput = z.infer<typeof userUpdateBody>;
