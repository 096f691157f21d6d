import { Theme } from '../../server/themes/theme.model.js';
import type { Client } from '../helpers.js';

/** Theme ids by code (the reference tree is loaded by resetDatabase). */
export async function themeIds(): Promise<Record<string, string>> {
  const themes = await Theme.find({}, { code: 1 }).lean();
  return Object.fromEntries(themes.map((t) => [t.code, String(t._id)]));
}

export async function postContact(client: Client, body: Record<string, unknown>) {
  const reply = await client.post('/api/contacts', body);
  if (reply.status !== 201) throw new Error(`contact not created: ${reply.status} ${reply.text}`);
  return reply.body as { id: string } & Record<string, any>;
}

export async function postOrganisation(client: Client, body: Record<string, unknown>) {
  const reply = await client.post('/api/organisations', body);
  if (reply.status !== 201) throw new Error(`organisation not created: ${reply.status} ${reply.text}`);
  return reply.body as { id: string } & Record<string, any>;
}

export const ids = (rows: { id: string }[]) => rows.map((r) => r.id).sort();
