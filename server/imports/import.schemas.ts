import { z } from 'zod';
import { objectId } from '../lib/rest.js';
import { DELIMITERS, ENCODINGS } from './csv.js';
import { IMPORT_FIELDS, isReservedName } from './import.mapping.js';
import { IMPORT_POLICIES, IMPORT_STATUSES } from './import.model.js';

const field = z.enum(IMPORT_FIELDS, 'champ inconnu');
const notReserved = (name: string) => !isReservedName(name);
const RESERVED = 'nom réservé, choisissez-en un autre';
const encoding = z
  .enum([...ENCODINGS, 'utf8', 'latin1', 'iso-8859-1', 'windows1252', 'cp1252'], 'encodage inconnu (utf-8 ou windows-1252)')
  .transform((value) => (value.startsWith('utf') ? 'utf-8' : 'windows-1252') as (typeof ENCODINGS)[number]);
const delimiter = z
  .enum([...DELIMITERS, 'tab', '\\t'], 'séparateur inconnu (; , tabulation ou |)')
  .transform((value) => (value === 'tab' || value === '\\t' ? '\t' : value) as (typeof DELIMITERS)[number]);

/** `{"Courriel": "email", ...}` by header name, or `["email", "firstName", ...]` by position. */
export const mappingSchema = z.union([z.record(z.string().max(200).refine(notReserved, RESERVED), field), z.array(field).max(500)], 'correspondance invalide');

const settings = {
  encoding: encoding.optional(),
  delimiter: delimiter.optional(),
  mapping: mappingSchema.optional(),
  preset: z.string().trim().min(1).max(100).refine(notReserved, RESERVED).optional(),
  policy: z.enum(IMPORT_POLICIES, 'politique inconnue (fill ou overwrite)').optional(),
  subscribeList: z.string().trim().max(100).nullable().optional(),
};

/** The settings of a re-run dry run (JSON body). */
export const previewBody = z.strictObject(settings);

/** The text fields of the multipart upload: `mapping` arrives as JSON text. */
export const uploadFields = z.strictObject({
  ...settings,
  mapping: z
    .string()
    .max(100_000)
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'JSON invalide' });
        return z.NEVER;
      }
    })
    .pipe(mappingSchema)
    .optional(),
  subscribeList: z.string().trim().max(100).optional(),
});

export const commitBody = z.strictObject({});

export const presetBody = z
  .strictObject({
    name: z.string().trim().min(1, 'obligatoire').max(100).refine(notReserved, RESERVED),
    columns: z.array(z.strictObject({ header: z.string().trim().min(1).max(200).refine(notReserved, RESERVED), field })).max(500).optional(),
    fromImport: objectId.optional(),
  })
  .refine((body) => body.columns || body.fromImport, { message: 'columns ou fromImport attendu', path: ['columns'] });

export const importFilter = z.strictObject({
  status: z.enum(IMPORT_STATUSES, 'état inconnu').optional(),
  id: z.array(objectId).max(1000).optional(),
});
