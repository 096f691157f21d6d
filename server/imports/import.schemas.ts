import { z } from 'zod';
import { objectId } from '../lib/rest.js';
import { DELIMITERS, ENCODINGS } from './csv.js';
import { IMPORT_FIELDS, isReservedName } from './import.mapping.js';
import { IMPORT_POLICIES, IMPORT_STATUSES } from './import.model.js';
import { VALUE_ACTIONS, VALUE_FIELDS } from './import.values.js';

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

const id = z.string().trim().min(1).max(100);
const valueDecision = z.strictObject({
  field: z.enum(VALUE_FIELDS, 'champ sans liste de valeurs'),
  value: z.string().max(500),
  action: z.enum([...VALUE_ACTIONS, 'auto'], 'choix inconnu (existing, create, text, ignore ou auto)'),
  targets: z.array(id).max(20).optional(),
  label: z.string().trim().max(200).optional(),
  parent: objectId.nullable().optional(),
});
const organisationDecision = z.union([
  z.strictObject({ name: z.string().trim().min(1).max(300), action: z.literal('create'), type: id.optional(), territory: id.nullable().optional() }),
  z.strictObject({ name: z.string().trim().min(1).max(300), action: z.literal('merge'), target: objectId }),
  z.strictObject({ name: z.string().trim().min(1).max(300), action: z.literal('auto') }),
]);
const jsonText = <T extends z.ZodType>(schema: T) =>
  z
    .string()
    .max(200_000)
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'JSON invalide' });
        return z.NEVER;
      }
    })
    .pipe(schema)
    .optional();

const settings = {
  encoding: encoding.optional(),
  delimiter: delimiter.optional(),
  mapping: mappingSchema.optional(),
  preset: z.string().trim().min(1).max(100).refine(notReserved, RESERVED).optional(),
  policy: z.enum(IMPORT_POLICIES, 'politique inconnue (fill ou overwrite)').optional(),
  subscribeList: z.string().trim().max(100).nullable().optional(),
  values: z.array(valueDecision).max(5000).optional(),
  organisations: z.array(organisationDecision).max(5000).optional(),
};

/** The settings of a re-run dry run (JSON body). */
export const previewBody = z.strictObject(settings);

/** The text fields of the multipart upload: `mapping` arrives as JSON text. */
export const uploadFields = z.strictObject({
  ...settings,
  mapping: jsonText(mappingSchema),
  values: jsonText(z.array(valueDecision).max(5000)),
  organisations: jsonText(z.array(organisationDecision).max(5000)),
  subscribeList: z.string().trim().max(100).optional(),
});

export const commitBody = z.strictObject({});

export const presetBody = z
  .strictObject({
    name: z.string().trim().min(1, 'obligatoire').max(100).refine(notReserved, RESERVED),
    columns: z.array(z.strictObject({ header: z.string().trim().min(1).max(200).refine(notReserved, RESERVED), field })).max(500).optional(),
    values: z.array(valueDecision.extend({ action: z.enum(VALUE_ACTIONS) })).max(5000).optional(),
    fromImport: objectId.optional(),
  })
  .refine((body) => body.columns || body.fromImport, { message: 'columns ou fromImport attendu', path: ['columns'] });

export const importFilter = z.strictObject({
  status: z.enum(IMPORT_STATUSES, 'état inconnu').optional(),
  id: z.array(objectId).max(1000).optional(),
});
