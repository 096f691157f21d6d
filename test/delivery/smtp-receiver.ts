import { simpleParser, type ParsedMail } from 'mailparser';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

/** `connection`: the id of the SMTP session that carried it. */
export type ReceivedMail = { envelopeFrom: string; rcptTo: string[]; raw: string; connection: string; parsed?: ParsedMail };

/**
 * A real SMTP server on a free port that keeps what it accepted. `parse: false` keeps only the
 * envelope and raw source (fast, for thousands of messages). `reject(rcpt)` may answer an error.
 * `pipelining: false`: a server that does not offer PIPELINING.
 */
export async function startSmtpReceiver(
  options: { parse?: boolean; reject?: (rcpt: string) => { code: number; message: string } | undefined; pipelining?: boolean } = {},
) {
  const mails: ReceivedMail[] = [];
  const waiters: Array<() => void> = [];
  const config: SMTPServerOptions = {
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    closeTimeout: 200,
    size: 10 * 1024 * 1024,
    hidePIPELINING: options.pipelining === false,
    onRcptTo(address, _session, callback) {
      const refusal = options.reject?.(address.address);
      if (refusal) return callback(Object.assign(new Error(refusal.message), { responseCode: refusal.code }));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', () => undefined); // the client went away mid-message: nothing was accepted
      stream.on('end', async () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const mail: ReceivedMail = {
          envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          rcptTo: session.envelope.rcptTo.map((r) => r.address),
          raw,
          connection: session.id,
        };
        if (options.parse !== false) mail.parsed = await simpleParser(raw);
        mails.push(mail);
        waiters.splice(0).forEach((wake) => wake());
        callback();
      });
    },
  };
  const server = new SMTPServer(config);
  // A client killed mid-session (the crash test) resets its connection: not an error of the receiver.
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    mails,
    /** Resolves once `count` messages matching `predicate` arrived (or rejects after `timeoutMs`). */
    async waitFor(count: number, predicate: (mail: ReceivedMail) => boolean = () => true, timeoutMs = 10_000): Promise<ReceivedMail[]> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = mails.filter(predicate);
        if (found.length >= count) return found;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`expected ${count} messages, got ${found.length}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(left, 200));
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
export type SmtpReceiver = Awaited<ReturnType<typeof startSmtpReceiver>>;
