import type { Socket } from 'node:net';
import DKIM from 'nodemailer/lib/dkim';
import { parseConnectionUrl } from 'nodemailer/lib/shared';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import type { Config } from '../lib/config.js';
import type { ComposedMessage } from './mailer.js';

/** Messages a connection sends before it is closed and a new one opened (as Nodemailer's pool does). */
const MESSAGES_PER_CONNECTION = 1000;

export type SmtpReply = { messageId: string; response: string };
export type Envelope = { from: string; to: string };
export type SmtpSession = {
  send(envelope: Envelope, message: Pick<ComposedMessage, 'raw' | 'chunks'>, next?: Envelope): Promise<SmtpReply>;
  end(): void;
};
/** What DATA carries: a message's text, or its chunks written one after the other. */
type MessageData = string | readonly Buffer[];
const END_OF_DATA = Buffer.from('.\r\n');

/**
 * The SMTP connections of bulk mail: up to `maxConnections` connections opened by Nodemailer,
 * each sending one message at a time (with PIPELINING, the envelope and DATA in one write, and
 * the next message's envelope with the end of the current one), reopened after 1,000 messages
 * or any error, under one rate limit.
 *
 * Why not Nodemailer's pool: for a message already composed it still builds a MIME tree,
 * parses the addresses and streams the text through a byte-by-byte dot-stuffing transform.
 * Bulk messages are composed with CRLF line breaks only and no line starting with a dot
 * (mime.ts), so they are written to the socket as they are. Measured with 10,000 messages of
 * 2.5 KB over 16 connections to a local sink: 2.0 CPU-seconds through the pool, 0.8 through
 * the connections directly (bench/RESULTS.md).
 */
export class SmtpLanes {
  private readonly options: ReturnType<typeof parseConnectionUrl>;
  private readonly dkim?: DKIM;
  private readonly idle: Lane[] = [];
  private readonly waiting: Array<() => void> = [];
  private open = 0;
  private closed = false;
  private window = { start: 0, sent: 0 };

  constructor(
    config: Config,
    private readonly limits: { maxConnections: number; ratePerSecond: number },
  ) {
    this.options = parseConnectionUrl(config.smtp.url);
    if (config.smtp.dkim) this.dkim = new DKIM(config.smtp.dkim);
  }

  /** Sends one composed message on any free connection. */
  async send(envelope: Envelope, message: Pick<ComposedMessage, 'raw' | 'chunks'>): Promise<SmtpReply> {
    const session = this.session();
    try {
      return await session.send(envelope, message);
    } finally {
      session.end();
    }
  }

  /**
   * A connection kept for one sender lane's messages, one after the other. With `next` (the
   * envelope of the lane's following message), that envelope goes out with the end of the
   * current message; the lane must then send that message, or end the session, which drops
   * the connection rather than leave the server waiting for it.
   */
  session(): SmtpSession {
    let held: Lane | undefined; // the connection that sent the envelope of the session's next message
    return {
      send: async (envelope, message, next) => {
        const data = await this.dataOf(message);
        await this.throttle();
        let lane = held;
        held = undefined;
        if (lane && !lane.canSend(envelope)) {
          this.discard(lane);
          lane = undefined;
        }
        lane ??= await this.acquire();
        const ahead = next && lane.sent + 1 < MESSAGES_PER_CONNECTION ? next : undefined;
        try {
          return { messageId: '', response: await lane.send(envelope, data, ahead) };
        } finally {
          if (lane.holdsNext) held = lane;
          else this.release(lane);
        }
      },
      end: () => {
        if (held) this.release(held);
        held = undefined;
      },
    };
  }

  /** A composed message (CRLF only, no line starting with a dot): its chunks as they are, or its text once signed or checked for dots. */
  private dataOf(message: Pick<ComposedMessage, 'raw' | 'chunks'>): MessageData | Promise<MessageData> {
    if (message.chunks && !this.dkim) return message.chunks;
    return this.dkim ? signed(this.dkim, message.raw).then(dotStuffed) : dotStuffed(message.raw);
  }

  close(): void {
    this.closed = true;
    for (const lane of this.idle.splice(0)) lane.quit();
  }

  private async acquire(): Promise<Lane> {
    for (;;) {
      const lane = this.idle.pop();
      if (lane?.usable) return lane;
      if (lane) {
        this.discard(lane);
        continue;
      }
      if (this.open < this.limits.maxConnections) {
        this.open++;
        try {
          return await Lane.connect(this.options);
        } catch (error) {
          this.open--;
          this.wakeOne();
          throw error;
        }
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  private release(lane: Lane): void {
    if (this.closed || !lane.usable || lane.holdsNext || lane.sent >= MESSAGES_PER_CONNECTION) return this.discard(lane);
    this.idle.push(lane);
    this.wakeOne();
  }

  private discard(lane: Lane): void {
    lane.quit();
    this.open--;
    this.wakeOne();
  }

  private wakeOne(): void {
    this.waiting.shift()?.();
  }

  /** At most `ratePerSecond` messages in any one-second window, shared by every connection. */
  private async throttle(): Promise<void> {
    for (;;) {
      const now = Date.now();
      if (now - this.window.start >= 1000) this.window = { start: now, sent: 0 };
      if (this.window.sent < this.limits.ratePerSecond) {
        this.window.sent++;
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, this.window.start + 1000 - now));
    }
  }
}

/** What SMTPConnection keeps inside and this file relies on (nodemailer 10, pinned in package-lock.json). */
type ConnectionInternals = {
  _socket: Socket;
  _onSocketData: (chunk: Buffer) => void;
  _supportedExtensions: string[];
};

type Waiter = { resolve: (reply: string) => void; reject: (error: Error) => void };

/**
 * One SMTP connection that sends one message at a time. Nodemailer opens it (greeting, EHLO,
 * STARTTLS, AUTH); the lane then writes the transactions and reads the replies itself, so that
 * the envelope of the next message can go out with the end of the current one (RFC 2920: the
 * message content may be the first "command" of a group): one write and one read per message
 * instead of two of each.
 */
class Lane {
  sent = 0;
  usable = true;
  /** The envelope written with the previous message's end, and its replies (resolved on 354). */
  private ahead?: { envelope: Envelope; ready: Promise<void> };
  private readonly waiting: Waiter[] = [];
  private received = '';
  private replyLines: string[] = [];
  private readonly socket: Socket;
  private readonly pipelining: boolean;
  private readonly utf8: boolean;

  private constructor(private readonly connection: SMTPConnection) {
    const internals = connection as unknown as ConnectionInternals;
    this.socket = internals._socket;
    this.pipelining = internals._supportedExtensions.includes('PIPELINING');
    this.utf8 = internals._supportedExtensions.includes('SMTPUTF8');
    this.socket.removeListener('data', internals._onSocketData);
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    const lost = (error?: Error) => this.fail(Object.assign(new Error(`Connexion SMTP perdue${error ? ` : ${error.message}` : ''}`), { code: 'ECONNECTION' }));
    connection.on('error', lost); // includes the socket timeout
    connection.on('end', () => lost());
  }

  static connect(options: ReturnType<typeof parseConnectionUrl>): Promise<Lane> {
    const connection = new SMTPConnection(options);
    return new Promise((resolve, reject) => {
      const failed = (error: Error) => {
        connection.close();
        reject(error);
      };
      connection.once('error', failed);
      connection.connect(() => {
        const ready = () => {
          connection.removeListener('error', failed);
          resolve(new Lane(connection));
        };
        if (!options.auth) return ready();
        connection.login(options.auth as never, (error) => (error ? failed(error) : ready()));
      });
    });
  }

  /** Whether the envelope of a message to come was written with the previous one's end. */
  get holdsNext(): boolean {
    return Boolean(this.ahead);
  }

  /** Whether `envelope` was written ahead with the previous message (or nothing was). */
  canSend(envelope: Envelope): boolean {
    return this.usable && (!this.ahead || (this.ahead.envelope.from === envelope.from && this.ahead.envelope.to === envelope.to));
  }

  /**
   * Sends one message; `next`, the envelope of the message to send after it on this lane, goes
   * out with its end. Resolves with the server's reply to the message.
   */
  async send(envelope: Envelope, data: MessageData, next?: Envelope): Promise<string> {
    this.sent++;
    const ready = this.ahead?.ready ?? this.writeEnvelope(envelope);
    this.ahead = undefined;
    await ready;
    const accepted = this.reply();
    const following = next && this.pipelining ? next : undefined;
    if (following) {
      const ready = this.envelopeReplies();
      ready.catch(() => undefined); // awaited by the next send, if the lane sends it
      this.ahead = { envelope: following, ready };
    }
    writeData(this.socket, data, following ? this.envelopeCommands(following) : '');
    const reply = await accepted;
    if (!reply.startsWith('2')) throw smtpError('EMESSAGE', 'Message refusé', reply);
    return reply;
  }

  /** Closes the connection politely, or at once when a DATA written ahead awaits a message. */
  quit(): void {
    const midData = Boolean(this.ahead);
    this.usable = false;
    this.ahead = undefined;
    if (midData || this.socket.destroyed) return void this.socket.destroy(); // the server drops an unfinished message
    this.socket.write('QUIT\r\n');
    this.connection.close();
  }

  private writeEnvelope(envelope: Envelope): Promise<void> {
    const commands = this.envelopeCommands(envelope);
    if (!this.pipelining) return this.oneByOne(commands.split('\r\n').filter(Boolean));
    const ready = this.envelopeReplies();
    this.socket.write(commands);
    return ready;
  }

  private async oneByOne(commands: string[]): Promise<void> {
    for (const [i, command] of commands.entries()) {
      const reply = this.reply();
      this.socket.write(`${command}\r\n`);
      this.check(await reply, i);
    }
  }

  private envelopeCommands({ from, to }: Envelope): string {
    const utf8 = this.utf8 && /[^\x00-\x7f]/.test(from + to) ? ' SMTPUTF8' : '';
    return `MAIL FROM:<${from}>${utf8}\r\nRCPT TO:<${to}>\r\nDATA\r\n`;
  }

  /**
   * The replies to MAIL FROM, RCPT TO and DATA: resolved once DATA is answered 354, rejected
   * with the first refusal (a server that refuses with 421 closes the connection before DATA's).
   */
  private async envelopeReplies(): Promise<void> {
    const replies = [this.reply(), this.reply(), this.reply()];
    for (const reply of replies) reply.catch(() => undefined); // those after a refusal are not awaited
    for (const [i, reply] of replies.entries()) this.check(await reply, i);
  }

  /**
   * The envelope's `i`-th reply: 2xx to MAIL FROM and RCPT TO, 354 to DATA. After a refusal the
   * connection is not reused (its state after one varies between servers).
   */
  private check(reply: string, i: number): void {
    if (reply.startsWith(i === 2 ? '354' : '2')) return;
    this.usable = false;
    throw smtpError('EENVELOPE', 'Enveloppe refusée', reply);
  }

  private reply(): Promise<string> {
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  private onData(chunk: Buffer): void {
    this.received += chunk.toString('utf8');
    for (let end = this.received.indexOf('\n'); end >= 0; end = this.received.indexOf('\n')) {
      const line = this.received.slice(0, end).replace(/\r$/, '');
      this.received = this.received.slice(end + 1);
      this.replyLines.push(line);
      if (line[3] === '-') continue; // a multi-line reply goes on
      const reply = this.replyLines.join('\n');
      this.replyLines = [];
      const waiter = this.waiting.shift();
      if (!waiter) return this.fail(Object.assign(new Error(`Réponse SMTP inattendue : ${reply}`), { code: 'EPROTOCOL' }));
      waiter.resolve(reply);
    }
  }

  private fail(error: Error): void {
    for (const waiter of this.waiting.splice(0)) waiter.reject(error);
    if (!this.usable) return; // already given up (quit: its QUIT is still to be written)
    this.usable = false;
    this.socket.destroy();
  }
}

/** An error shaped like Nodemailer's: `responseCode` tells temporary (4xx) from permanent (5xx) failures (mailer.ts). */
function smtpError(code: 'EENVELOPE' | 'EMESSAGE', what: string, response: string): Error {
  return Object.assign(new Error(`${what} : ${response}`), { code, response, responseCode: Number(response.slice(0, 3)) });
}

/**
 * The message, the end-of-data line and the commands that follow it in one write: copied into
 * one Buffer when small (one write request), else written chunk by chunk under cork (one
 * writev, the shared chunks not copied).
 */
function writeData(socket: Socket, message: MessageData, after: string): void {
  if (typeof message === 'string') {
    socket.write(`${message}.\r\n${after}`);
    return;
  }
  const size = message.reduce((sum, chunk) => sum + chunk.length, 0);
  if (size <= COPY_UP_TO_BYTES) {
    socket.write(Buffer.concat([...message, END_OF_DATA, Buffer.from(after)]));
    return;
  }
  socket.cork();
  for (const chunk of message) socket.write(chunk);
  socket.write(Buffer.concat([END_OF_DATA, Buffer.from(after)]));
  socket.uncork();
}
const COPY_UP_TO_BYTES = 64 * 1024;

/** The message ends with CRLF before the end-of-data line; a line starting with a dot (not made by mime.ts) is stuffed. */
function dotStuffed(raw: string): string {
  const ended = raw.endsWith('\r\n') ? raw : `${raw}\r\n`;
  return ended.startsWith('.') || ended.includes('\n.') ? ended.replace(/^\./gm, '..') : ended;
}

async function signed(dkim: DKIM, raw: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of dkim.sign(raw)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
