import { randomUUID } from 'node:crypto';
import { parseMail } from '../lib/parse-mail.js';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Config } from '../lib/config.js';
import { Outbox } from './outbox.model.js';
import { SmtpLanes, type Envelope } from './smtp-lanes.js';

/** A message to compose; `from` defaults to MAIL_FROM. */
export type StructuredMessage = {
  to: string;
  subject: string;
  html: string;
  text: string;
  from?: string;
  headers?: Record<string, string>;
  messageId?: string;
  /** SMTP envelope sender (the VERP Return-Path of bulk mail). */
  envelopeFrom?: string;
  /** Small text attachments (an event's .ics). */
  attachments?: MailAttachment[];
};

export type MailAttachment = { filename: string; content: string; contentType: string };

/**
 * A message already composed (bulk mail, see bulk-message.ts): sent as is. `raw` has CRLF line
 * breaks only and no line starting with a dot (mime.ts), so SMTP DATA needs no dot-stuffing.
 * `chunks`, when given, is the same text in the Buffers the SMTP lanes write one after the
 * other (most of them shared by every message of a mailing); `raw` is then joined when asked.
 */
export type ComposedMessage = { to: string; envelopeFrom: string; raw: string; chunks?: readonly Buffer[] };

export type OutgoingMessage = StructuredMessage | ComposedMessage;

export type SendResult = { messageId: string; response: string };

export type Mailer = {
  kind: 'smtp' | 'outbox';
  send(message: OutgoingMessage): Promise<SendResult>;
  /** Bulk mail over SMTP: a connection kept for one sender lane's messages (smtp-lanes.ts). */
  session?(): MailSession;
  close(): void;
};

/**
 * Composed messages sent one after the other on one connection; `next` names the envelope of
 * the message to be sent after this one, which goes out with its end. `end` gives the
 * connection back (dropped if a message named as next was not sent).
 */
export type MailSession = {
  send(message: ComposedMessage, next?: Envelope): Promise<SendResult>;
  end(): void;
};

export type MailStream = 'bulk' | 'transactional';

/**
 * The transport: Nodemailer over SMTP_URL with a connection pool, a rate limit shared by the
 * pool's connections and optional DKIM; without SMTP_URL (never in production, config refuses
 * it) the local outbox collection. Bulk and transactional mail use separate pools so a running
 * mailing never delays an opt-in e-mail.
 */
export function createMailer(config: Config, stream: MailStream, overrides: { maxConnections?: number; ratePerSecond?: number } = {}): Mailer {
  if (!config.smtp.url) return outboxMailer(config, stream);
  const maxConnections = stream === 'bulk' ? (overrides.maxConnections ?? config.smtp.maxConnections) : 1;
  const ratePerSecond = overrides.ratePerSecond ?? config.smtp.ratePerSecond;
  // Composed bulk mail goes through connections of its own (smtp-lanes.ts); the rest through Nodemailer's pool.
  const lanes = stream === 'bulk' ? new SmtpLanes(config, { maxConnections, ratePerSecond }) : undefined;
  let transport: Transporter | undefined;
  const pool = () =>
    (transport ??= nodemailer.createTransport({
      url: config.smtp.url,
      pool: true,
      maxConnections,
      maxMessages: 1000,
      rateLimit: ratePerSecond,
      rateDelta: 1000,
      ...(config.smtp.dkim ? { dkim: config.smtp.dkim } : {}),
    } as never) as Transporter);
  return {
    kind: 'smtp',
    session: lanes
      ? () => {
          const session = lanes.session();
          return { send: (message, next) => session.send({ from: message.envelopeFrom, to: message.to }, message, next), end: () => session.end() };
        }
      : undefined,
    async send(message) {
      if ('raw' in message && lanes) return lanes.send({ from: message.envelopeFrom, to: message.to }, message);
      const info = await pool().sendMail('raw' in message ? { raw: message.raw, envelope: { from: message.envelopeFrom, to: message.to } } : toNodemailer(config, message));
      return { messageId: info.messageId, response: info.response ?? '' };
    },
    close: () => {
      lanes?.close();
      transport?.close();
    },
  };
}

const cache = new WeakMap<Config, Map<MailStream, Mailer>>();

/** The process-wide mailer of a configuration (one pool per stream). */
export function mailerFor(config: Config, stream: MailStream): Mailer {
  const byStream = cache.get(config) ?? new Map<MailStream, Mailer>();
  cache.set(config, byStream);
  let mailer = byStream.get(stream);
  if (!mailer) byStream.set(stream, (mailer = createMailer(config, stream)));
  return mailer;
}

export function closeMailers(config: Config): void {
  for (const mailer of cache.get(config)?.values() ?? []) mailer.close();
  cache.delete(config);
}

function toNodemailer(config: Config, message: StructuredMessage) {
  return {
    from: message.from ?? config.mailFrom,
    to: message.to,
    subject: message.subject,
    html: message.html,
    text: message.text,
    date: new Date(),
    headers: message.headers,
    messageId: message.messageId,
    attachments: message.attachments,
    envelope: message.envelopeFrom ? { from: message.envelopeFrom, to: message.to } : undefined,
  };
}

function outboxMailer(config: Config, stream: MailStream): Mailer {
  return {
    kind: 'outbox',
    async send(outgoing) {
      const message = 'raw' in outgoing ? await decompose(outgoing) : outgoing;
      const messageId = message.messageId ?? `<${randomUUID()}@outbox.maillage>`;
      const headers = { ...message.headers };
      await Outbox.create({
        stream,
        from: message.from ?? config.mailFrom,
        to: message.to,
        subject: message.subject,
        html: message.html,
        text: message.text,
        messageId,
        envelopeFrom: message.envelopeFrom,
        headers,
        attachments: 'attachments' in message ? message.attachments : undefined,
      });
      return { messageId, response: '250 stored in the local outbox' };
    },
    close: () => undefined,
  };
}

/** A composed message read back into its parts, for the outbox's readers. */
async function decompose(message: ComposedMessage): Promise<StructuredMessage> {
  const parsed = await parseMail(message.raw);
  const headers: Record<string, string> = {};
  for (const { key, line } of parsed.headerLines) {
    if (['from', 'to', 'subject', 'message-id', 'mime-version', 'content-type'].includes(key)) continue;
    const colon = line.indexOf(':');
    headers[line.slice(0, colon)] = line.slice(colon + 1).replace(/\r?\n[ \t]+/g, ' ').trim(); // unfolded
  }
  return {
    from: parsed.from?.text,
    to: message.to,
    subject: parsed.subject ?? '',
    html: typeof parsed.html === 'string' ? parsed.html : '',
    text: parsed.text ?? '',
    messageId: parsed.messageId,
    envelopeFrom: message.envelopeFrom,
    headers,
  };
}

/**
 * Temporary failures (4xx replies, lost or refused connections, timeouts, throttling) are
 * retried; permanent ones (5xx replies, a malformed message) are not.
 */
export function isTemporaryFailure(error: unknown): boolean {
  const { responseCode, code } = error as { responseCode?: number; code?: string };
  if (typeof responseCode === 'number') return responseCode >= 400 && responseCode < 500;
  return !['EENVELOPE', 'EMESSAGE'].includes(code ?? '');
}

/** A short French-free technical reason kept on the delivery row (the SMTP reply when there is one). */
export function failureReason(error: unknown): string {
  const { response, message, code } = error as { response?: string; message?: string; code?: string };
  return (response ?? message ?? code ?? String(error)).slice(0, 500);
}
