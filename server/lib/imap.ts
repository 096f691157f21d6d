import type { ImapFlow } from 'imapflow';

/**
 * Opens the mailbox named by an `imap[s]://user:password@host:port/Mailbox` URL, holds its lock
 * while `work` runs (so two processes never read it at once), and logs out.
 */
export async function withMailbox<T>(url: string, work: (client: ImapFlow) => Promise<T>): Promise<T> {
  const { hostname, port, username, password, pathname, protocol } = new URL(url);
  const { ImapFlow } = await import('imapflow'); // loaded by the jobs that read a mailbox, not at every start
  const client = new ImapFlow({
    host: hostname,
    port: Number(port) || (protocol === 'imaps:' ? 993 : 143),
    secure: protocol === 'imaps:',
    auth: { user: decodeURIComponent(username), pass: decodeURIComponent(password) },
    logger: false,
  });
  await client.connect();
  try {
    const lock = await client.getMailboxLock(decodeURIComponent(pathname.slice(1)) || 'INBOX');
    try {
      return await work(client);
    } finally {
      lock.release();
    }
  } finally {
    await client.logout().catch(() => client.close());
  }
}
