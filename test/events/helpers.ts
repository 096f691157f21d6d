import { parisDay } from '../../server/lib/paris-time.js';
import type { ReceivedMail } from '../delivery/smtp-receiver.js';

export const form = (fields: Record<string, string | string[]>) => {
  const body = new URLSearchParams();
  for (const [key, value] of Object.entries(fields)) for (const v of [value].flat()) body.append(key, v);
  return body;
};

/** The path of the first link to `path` in a mail's text part. */
export const linkIn = (mail: ReceivedMail, path: string) => {
  const match = new RegExp(`http://maillage\\.test(${path}[A-Za-z0-9._~-]+)`).exec(mail.parsed!.text!);
  if (!match) throw new Error(`no ${path} link in: ${mail.parsed!.text}`);
  return match[1];
};

/** "YYYY-MM-DD" in Paris, `days` from now. */
export const parisDayIn = (days: number) => parisDay(new Date(Date.now() + days * 24 * 3600_000));

export const eventInput = (fields: Record<string, unknown> = {}) => ({
  title: 'Rencontre nationale des ASV',
  kind: 'rencontre-nationale',
  start: `${parisDayIn(30)}T09:30`,
  end: `${parisDayIn(30)}T17:00`,
  place: 'Lyon, Hôtel de Région',
  ...fields,
});
