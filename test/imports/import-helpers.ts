import type { Client } from '../helpers.js';

/** A multipart upload as the admin sends it. */
export function uploadForm(name: string, data: Buffer | string, fields: Record<string, string> = {}): FormData {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) form.append(key, value);
  form.append('file', new Blob([typeof data === 'string' ? data : new Uint8Array(data)]), name);
  return form;
}

/** Polls `GET /api/imports/:id` until the job brought the import to one of `statuses`. */
export async function waitForImport(client: Client, id: string, statuses = ['done', 'failed', 'undone'], timeoutMs = 30_000): Promise<any> {
  for (let i = 0; i < timeoutMs / 100; i++) {
    const reply = await client.get(`/api/imports/${id}`);
    if (statuses.includes(reply.body.status)) return reply.body;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`import ${id} still not in ${statuses.join('/')}`);
}

