import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { convert as htmlToText } from 'html-to-text';
import type { Attachment, ParsedMail } from 'mailparser';
import { parseMail } from '../lib/parse-mail.js';
import { Types } from 'mongoose';
import type { AppContext } from '../context.js';
import { isDuplicateKey } from '../lib/db.js';
import { withMailbox } from '../lib/imap.js';
import { automaticReason, messageIds, referenceInSubject } from './mail.classify.js';
import { MailThread, MESSAGE_MAX, Solicitation } from './solicitation.model.js';
import { newReference, requesterFromAddress, solicitationDir } from './solicitation.service.js';
import { suggestThemes, suggestType } from './solicitation.suggest.js';

export type MailboxOutcome = 'created' | 'threaded' | 'ignored' | 'duplicate';
/** Set on each message once read, so the next poll asks the server only for new ones. */
const READ_FLAG = '$MaillageLu';
const TEXT_MAX = 100_000;

/**
 * Reads the contact mailbox (CONTACT_IMAP_URL): every message not yet flagged becomes a
 * solicitation, or joins its conversation. Idempotent by Message-ID: a crash between reading
 * and flagging, or two processes, never create a request twice.
 */
export async function pollContactMailbox(ctx: Pick<AppContext, 'config' | 'logger'>, now = new Date()): Promise<Record<MailboxOutcome, number>> {
  const counts: Record<MailboxOutcome, number> = { created: 0, threaded: 0, ignored: 0, duplicate: 0 };
  const url = ctx.config.solicitations.imapUrl;
  if (!url) return counts;
  await withMailbox(url, async (client) => {
    if (!client.mailbox || !client.mailbox.exists) return;
    const uids = (await client.search({ unKeyword: READ_FLAG }, { uid: true })) || [];
    for (const uid of uids) {
      const message = await client.fetchOne(String(uid), { source: true }, { uid: true });
      if (!message || !message.source) continue;
      try {
        counts[await receiveContactMail(ctx, message.source, now)]++;
        await client.messageFlagsAdd(String(uid), [READ_FLAG], { uid: true });
      } catch (error) {
        ctx.logger.error({ err: error, uid }, 'contact mailbox message not handled');
      }
    }
  });
  return counts;
}

/** One raw message of the contact mailbox → a new solicitation, a message in an existing one, or nothing. */
export async function receiveContactMail(ctx: Pick<AppContext, 'config' | 'logger'>, raw: Buffer, now = new Date()): Promise<MailboxOutcome> {
  const mail = await parseMail(raw);
  const messageId = messageIds(mail.messageId)[0] ?? `sans-identifiant-${createHash('sha256').update(raw).digest('hex').slice(0, 32)}`;
  if (await MailThread.exists({ _id: messageId })) return 'duplicate';
  if (automaticReason(mail)) return 'ignored';
  const existing = await conversationOf(mail);
  const solicitationId = existing ?? idFor(messageId);
  const message = { direction: 'in', messageId, date: mail.date ?? now, from: mail.from?.text ?? '', to: textOf(mail.to), subject: mail.subject ?? '', text: bodyOf(mail) };
  const attachments = await keepAttachments(ctx, mail.attachments, solicitationId, messageId);
  const added = existing
    ? (await Solicitation.updateOne({ _id: existing, 'messages.messageId': { $ne: messageId } }, { $push: { messages: { ...message, attachments } }, $set: { unread: true } })).modifiedCount > 0
    : await createFromMail(mail, solicitationId, { ...message, attachments }, now);
  await rememberMessageId(messageId, solicitationId);
  if (!added) return 'duplicate';
  return existing ? 'threaded' : 'created';
}

/** The solicitation a reply belongs to: a known Message-ID in In-Reply-To/References, else the subject's tag. */
async function conversationOf(mail: ParsedMail): Promise<Types.ObjectId | undefined> {
  const ids = [...messageIds(mail.inReplyTo), ...messageIds(mail.references)];
  if (ids.length) {
    const known = await MailThread.findOne({ _id: { $in: ids } }).lean();
    if (known) return known.solicitation;
  }
  const reference = referenceInSubject(mail.subject);
  if (!reference) return undefined;
  return (await Solicitation.findOne({ reference }, { _id: 1 }).lean())?._id;
}

/** False when another reader created it first from the same message. */
async function createFromMail(mail: ParsedMail, _id: Types.ObjectId, message: Record<string, unknown> & { date: Date; text: string; subject: string }, now: Date): Promise<boolean> {
  const sender = mail.from?.value[0];
  const requester = sender?.address ? await requesterFromAddress(sender.address, sender.name, message.date) : undefined;
  const words = `${message.subject}\n${message.text}`;
  try {
    await Solicitation.create({
      _id,
      reference: await newReference(message.date),
      receivedAt: message.date > now ? now : message.date,
      channel: 'email',
      requester: requester?.id,
      isMember: requester?.isMember ?? false,
      organisationName: requester?.organisationName,
      subject: message.subject.slice(0, 300),
      message: message.text.slice(0, MESSAGE_MAX),
      status: 'new',
      source: 'mailbox',
      unread: true,
      messages: [message],
      suggested: { type: suggestType(words), themes: await suggestThemes(words), territory: requester?.territory },
    });
    return true;
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    return false;
  }
}

async function rememberMessageId(messageId: string, solicitation: Types.ObjectId): Promise<void> {
  try {
    await MailThread.create({ _id: messageId, solicitation });
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
  }
}

/** A new request's id derived from its Message-ID: the same message can only ever create the same document. */
function idFor(messageId: string): Types.ObjectId {
  return new Types.ObjectId(createHash('sha256').update(messageId).digest('hex').slice(0, 24));
}

function bodyOf(mail: ParsedMail): string {
  const text = mail.text?.trim() || (mail.html ? htmlToText(mail.html, { wordwrap: false, selectors: [{ selector: 'img', format: 'skip' }] }) : '');
  return text.slice(0, TEXT_MAX);
}

function textOf(address: ParsedMail['to']): string {
  return (Array.isArray(address) ? address : address ? [address] : []).map((a) => a.text).join(', ');
}

/** Attachments are written under DATA_DIR/solicitations/<id>/; one over the size cap is refused with a note. */
async function keepAttachments(ctx: Pick<AppContext, 'config'>, attachments: Attachment[], solicitation: Types.ObjectId, messageId: string) {
  const max = ctx.config.solicitations.attachmentMaxBytes;
  const prefix = createHash('sha256').update(messageId).digest('hex').slice(0, 12);
  const dir = solicitationDir(ctx.config.dataDir, String(solicitation));
  const kept = [];
  for (const [index, attachment] of attachments.filter((a) => a.contentDisposition !== 'inline' || a.filename).entries()) {
    const filename = attachment.filename || `piece-jointe-${index + 1}`;
    const entry = { filename, contentType: attachment.contentType, size: attachment.size };
    if (attachment.size > max) {
      kept.push({ ...entry, refused: `Pièce jointe refusée : ${megabytes(attachment.size)} Mo, au-delà de la limite de ${megabytes(max)} Mo.` });
      continue;
    }
    const stored = `${prefix}-${index}-${filename.replace(/[^\w.-]+/g, '_').slice(-80)}`;
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeFile(path.join(dir, stored), attachment.content);
    kept.push({ ...entry, stored });
  }
  return kept;
}

const megabytes = (bytes: number) => (bytes / 1024 / 1024).toLocaleString('fr-FR', { maximumFractionDigits: 1 });
