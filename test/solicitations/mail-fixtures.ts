import { ImapFlow } from 'imapflow';

/** An e-mail as a mail client writes it. */
export function mail(fields: { from: string; subject: string; body: string; messageId: string; date?: string; headers?: string[]; inReplyTo?: string; attachment?: { name: string; bytes: number } }) {
  const boundary = 'limite-0123456789';
  const head = [
    `From: ${fields.from}`,
    'To: Fabrique Territoires Santé <contact@fts.test>',
    `Subject: ${fields.subject}`,
    `Date: ${fields.date ?? 'Tue, 01 Dec 2026 09:30:00 +0100'}`,
    `Message-ID: <${fields.messageId}>`,
    ...(fields.inReplyTo ? [`In-Reply-To: <${fields.inReplyTo}>`, `References: <${fields.inReplyTo}>`] : []),
    ...(fields.headers ?? []),
    'MIME-Version: 1.0',
  ];
  if (!fields.attachment) return [...head, 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', fields.body, ''].join('\r\n');
  const content = Buffer.alloc(fields.attachment.bytes, 'a').toString('base64').replace(/.{76}/g, '$&\r\n');
  return [
    ...head,
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    fields.body,
    `--${boundary}`,
    `Content-Type: application/pdf; name="${fields.attachment.name}"`,
    `Content-Disposition: attachment; filename="${fields.attachment.name}"`,
    'Content-Transfer-Encoding: base64',
    '',
    content,
    `--${boundary}--`,
    '',
  ].join('\r\n');
}

/** Drops messages into a test Dovecot mailbox, as the mail server would on delivery. */
export async function deliverTo(dovecot: { port: number; user: string; password: string }, ...messages: string[]) {
  const client = new ImapFlow({ host: '127.0.0.1', port: dovecot.port, secure: false, auth: { user: dovecot.user, pass: dovecot.password }, logger: false });
  await client.connect();
  for (const message of messages) await client.append('INBOX', message);
  await client.logout();
}
