import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { Types } from 'mongoose';
import type { AppContext } from '../context.js';
import { Contact } from '../contacts/contact.model.js';
import { isDuplicateKey } from '../lib/errors.js';
import { List } from '../lists/list.model.js';
import { segmentContactQuery } from '../segments/segment.service.js';
import { Subscription } from '../subscriptions/subscription.model.js';
import { suppressedAmong } from '../suppressions/suppression.service.js';
import { bulkMessage } from './bulk-message.js';
import { Delivery, type DeliveryRecord } from './delivery.model.js';
import { failureReason, isTemporaryFailure, mailerFor, type Mailer } from './mailer.js';
import { Mailing, type MailingRecord } from './mailing.model.js';

export type SenderOptions = {
  batchSize: number;
  /** Parallel SMTP calls; at most this many messages can be uncertain after a crash. */
  concurrency: number;
  maxAttempts: number;
  backoffMs: (attempt: number) => number;
  /** Consecutive failures that pause the mailing. */
  pauseAfter: number;
  leaseMs: number;
  touch?: () => Promise<unknown>;
  mailer?: Mailer;
};

export const SENDER_DEFAULTS: Omit<SenderOptions, 'concurrency'> = {
  batchSize: 250,
  maxAttempts: 5,
  backoffMs: (attempt) => Math.min(30_000 * 4 ** (attempt - 1), 3600_000), // 30 s, 2 min, 8 min, 32 min
  pauseAfter: 20,
  leaseMs: 30_000,
};

/** This process, for leases: host and pid let a restarted worker on the same host take over at once. */
const OWNER = `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;

export type RunOutcome = 'sent' | 'paused' | 'busy' | 'stopped';

/**
 * Sends a mailing until nothing is left, in batches above the last id handled. Each recipient is
 * recorded `sending` before the SMTP call and `sent`/`failed`/`queued` (retry) after it, so a
 * restart never sends a recorded message twice and skips no one; rows found in `sending` at
 * start are the uncertain ones (at most one per parallel call) and are reported, not resent.
 */
export async function runMailing(ctx: Pick<AppContext, 'config' | 'logger'>, mailingId: string, options: Partial<SenderOptions> = {}): Promise<RunOutcome> {
  const opts: SenderOptions = { ...SENDER_DEFAULTS, concurrency: ctx.config.smtp.url ? ctx.config.smtp.maxConnections : 1, ...options };
  if (!(await acquireLease(mailingId, opts.leaseMs))) return 'busy';
  let leaseLost = false;
  const renew = setInterval(() => {
    renewLease(mailingId, opts.leaseMs).then(
      (kept) => (leaseLost ||= !kept),
      (error: unknown) => ctx.logger.warn({ err: error }, 'mailing lease not renewed'),
    );
  }, opts.leaseMs / 3);
  try {
    const mailing = (await Mailing.findById(mailingId).lean())!;
    if (!mailing.audienceResolvedAt) await resolveAudience(mailing);
    await markUncertain(ctx, mailing);
    const list = (await List.findById(mailing.list, { code: 1, name: 1 }).lean())!;
    const send = sendOne(ctx, opts, mailing, list);
    let after: Types.ObjectId | undefined;
    for (;;) {
      await opts.touch?.();
      const current = await Mailing.findById(mailingId, { status: 1 }).lean();
      if (leaseLost || current?.status !== 'sending') return current?.status === 'paused' ? 'paused' : 'stopped';
      const batch = await nextBatch(mailing._id, after, opts.batchSize);
      if (!batch.length) {
        if (after) {
          after = undefined; // end of a pass: look again from the start for retries now due
          continue;
        }
        const wait = await untilNextRetry(mailing._id);
        if (wait === undefined) break;
        await sleep(Math.min(wait, 1000));
        continue;
      }
      after = batch[batch.length - 1]._id;
      const gone = await leftSinceResolved(batch);
      let next = 0;
      const worker = async () => {
        while (next < batch.length && !send.paused) {
          const delivery = batch[next++];
          if (gone.has(String(delivery._id))) await skip(delivery);
          else await send.one(delivery);
        }
      };
      await Promise.all(Array.from({ length: opts.concurrency }, worker));
      if (send.paused) return 'paused';
    }
    await Mailing.updateOne({ _id: mailing._id, status: 'sending' }, { $set: { status: 'sent', finishedAt: new Date() } });
    ctx.logger.info({ mailing: mailingId }, 'mailing sent');
    return 'sent';
  } finally {
    clearInterval(renew);
    await Mailing.updateOne({ _id: mailingId, leaseOwner: OWNER }, { $unset: { leaseOwner: 1, leaseUntil: 1 } });
  }
}

function sendOne(ctx: Pick<AppContext, 'config' | 'logger'>, opts: SenderOptions, mailing: MailingRecord, list: { code: string; name: string }) {
  const mailer = opts.mailer ?? mailerFor(ctx.config, 'bulk');
  const content = mailing.content; // one object for the whole run: personalize() compiles it once
  const state = { paused: false, consecutiveFailures: 0 };
  return {
    get paused() {
      return state.paused;
    },
    async one(delivery: DeliveryRecord) {
      const claimed = await Delivery.updateOne({ _id: delivery._id, status: 'queued' }, { $set: { status: 'sending' }, $inc: { attempts: 1 } });
      if (!claimed.modifiedCount) return;
      let result;
      try {
        result = await mailer.send(
          bulkMessage(ctx.config, list, content, mailing.browserUrl ?? undefined, {
            deliveryId: String(delivery._id),
            mailingId: String(mailing._id),
            contactId: String(delivery.contact),
            subscriptionId: String(delivery.subscription),
            email: delivery.email,
            firstName: delivery.firstName,
            lastName: delivery.lastName,
          }),
        );
      } catch (error) {
        await recordFailure(delivery, error);
        return;
      }
      // A failure to record here propagates: the row stays `sending` and is reported as uncertain.
      await Delivery.updateOne(
        { _id: delivery._id },
        { $set: { status: 'sent', sentAt: new Date(), smtpResponse: result.response.slice(0, 300), messageId: result.messageId }, $unset: { error: 1, nextAttemptAt: 1 } },
      );
      state.consecutiveFailures = 0;
    },
  };

  async function recordFailure(delivery: DeliveryRecord, error: unknown) {
    const attempts = delivery.attempts + 1;
    const reason = failureReason(error);
    const retry = isTemporaryFailure(error) && attempts < opts.maxAttempts;
    await Delivery.updateOne(
      { _id: delivery._id },
      retry
        ? { $set: { status: 'queued', error: reason, nextAttemptAt: new Date(Date.now() + opts.backoffMs(attempts)) } }
        : { $set: { status: 'failed', error: reason } },
    );
    state.consecutiveFailures++;
    if (state.consecutiveFailures >= opts.pauseAfter && !state.paused) {
      state.paused = true;
      const pauseReason = `Envoi suspendu après ${state.consecutiveFailures} échecs consécutifs. Dernière réponse du serveur d'envoi : « ${reason} ». Vérifiez le serveur SMTP, puis reprenez l'envoi.`;
      await Mailing.updateOne({ _id: mailing._id, status: 'sending' }, { $set: { status: 'paused', pauseReason } });
      ctx.logger.warn({ mailing: String(mailing._id), reason }, 'mailing paused after consecutive failures');
    }
  }
}

async function nextBatch(mailing: Types.ObjectId, after: Types.ObjectId | undefined, size: number) {
  const now = new Date();
  return Delivery.find({
    mailing,
    status: 'queued',
    ...(after ? { _id: { $gt: after } } : {}),
    $or: [{ nextAttemptAt: { $exists: false } }, { nextAttemptAt: { $lte: now } }],
  })
    .sort({ _id: 1 })
    .limit(size)
    .lean<DeliveryRecord[]>();
}

/** Milliseconds until the next retry is due, or undefined when nothing is queued any more. */
async function untilNextRetry(mailing: Types.ObjectId): Promise<number | undefined> {
  const next = await Delivery.findOne({ mailing, status: 'queued' }, { nextAttemptAt: 1 }).sort({ nextAttemptAt: 1 }).lean();
  if (!next) return undefined;
  return Math.max(0, (next.nextAttemptAt?.getTime() ?? 0) - Date.now());
}

/** Recipients who unsubscribed or were suppressed after the audience was resolved. */
async function leftSinceResolved(batch: DeliveryRecord[]): Promise<Set<string>> {
  const [still, suppressed] = await Promise.all([
    Subscription.find({ _id: { $in: batch.map((d) => d.subscription) }, status: 'subscribed' }, { _id: 1 }).lean(),
    suppressedAmong(batch.map((d) => d.email)),
  ]);
  const subscribed = new Set(still.map((s) => String(s._id)));
  return new Set(batch.filter((d) => !subscribed.has(String(d.subscription)) || suppressed.has(d.email)).map((d) => String(d._id)));
}

async function skip(delivery: DeliveryRecord) {
  await Delivery.updateOne({ _id: delivery._id, status: 'queued' }, { $set: { status: 'skipped', error: "Désabonné·e ou exclu·e des envois avant l'envoi." } });
}

async function markUncertain(ctx: Pick<AppContext, 'logger'>, mailing: MailingRecord): Promise<void> {
  const stuck = await Delivery.find({ mailing: mailing._id, status: 'sending' }, { _id: 1 }).lean();
  if (!stuck.length) return;
  const ids = stuck.map((d) => d._id);
  const { modifiedCount } = await Delivery.updateMany(
    { _id: { $in: ids }, status: 'sending' },
    { $set: { status: 'uncertain', error: "Envoi interrompu pendant l'appel SMTP : le message a peut-être été remis. Il n'est pas renvoyé." } },
  );
  await Mailing.updateOne({ _id: mailing._id }, { $inc: { uncertain: modifiedCount } });
  ctx.logger.warn({ mailing: String(mailing._id), deliveries: ids.map(String) }, 'uncertain deliveries after an interruption');
}

/**
 * The audience at send time: confirmed subscribers of the list, narrowed by the segment, minus
 * suppressed addresses. Safe to run again after a crash (deliveries are unique per contact).
 */
export async function resolveAudience(mailing: MailingRecord): Promise<number> {
  const narrow = mailing.segment ? await segmentContactQuery(String(mailing.segment)) : {};
  const subscriptions = await Subscription.find({ list: mailing.list, status: 'subscribed' }, { contact: 1 }).sort({ _id: 1 }).lean();
  for (let start = 0; start < subscriptions.length; start += 1000) {
    const chunk = subscriptions.slice(start, start + 1000);
    const subscriptionOf = new Map(chunk.map((s) => [String(s.contact), s._id]));
    const contacts = await Contact.find(
      { $and: [narrow, { _id: { $in: chunk.map((s) => s.contact) } }, { erasedAt: { $exists: false } }] },
      { email: 1, firstName: 1, lastName: 1 },
    ).lean();
    const suppressed = await suppressedAmong(contacts.map((c) => c.email));
    const rows = contacts
      .filter((c) => !suppressed.has(c.email))
      .map((c) => ({
        mailing: mailing._id,
        contact: c._id,
        subscription: subscriptionOf.get(String(c._id)),
        email: c.email,
        firstName: c.firstName,
        lastName: c.lastName,
        status: 'queued',
        attempts: 0,
      }));
    await insertIgnoringDuplicates(rows);
  }
  const total = await Delivery.countDocuments({ mailing: mailing._id });
  await Mailing.updateOne({ _id: mailing._id }, { $set: { total, audienceResolvedAt: new Date() } });
  return total;
}

async function insertIgnoringDuplicates(rows: object[]): Promise<void> {
  if (!rows.length) return;
  try {
    await Delivery.insertMany(rows, { ordered: false });
  } catch (error) {
    const errors = (error as { writeErrors?: unknown[] }).writeErrors;
    if (!(isDuplicateKey(error) || (errors?.length && errors.every((e) => (e as { code?: number }).code === 11000 || isDuplicateKey((e as { err?: unknown }).err))))) {
      throw error;
    }
  }
}

async function acquireLease(mailingId: string, leaseMs: number): Promise<boolean> {
  const now = new Date();
  const free = { $or: [{ leaseUntil: { $exists: false } }, { leaseUntil: { $lt: now } }, { leaseOwner: OWNER }] };
  const taken = await Mailing.updateOne({ _id: mailingId, status: 'sending', ...free }, { $set: { leaseOwner: OWNER, leaseUntil: new Date(now.getTime() + leaseMs) } });
  if (taken.modifiedCount) return true;
  const mailing = await Mailing.findById(mailingId, { leaseOwner: 1, status: 1 }).lean();
  if (mailing?.status !== 'sending' || !mailing.leaseOwner || !ownerIsDead(mailing.leaseOwner)) return false;
  const stolen = await Mailing.updateOne(
    { _id: mailingId, status: 'sending', leaseOwner: mailing.leaseOwner },
    { $set: { leaseOwner: OWNER, leaseUntil: new Date(now.getTime() + leaseMs) } },
  );
  return stolen.modifiedCount === 1;
}

async function renewLease(mailingId: string, leaseMs: number): Promise<boolean> {
  const kept = await Mailing.updateOne({ _id: mailingId, leaseOwner: OWNER }, { $set: { leaseUntil: new Date(Date.now() + leaseMs) } });
  return kept.matchedCount === 1;
}

/** A lease held by a process of this host that no longer exists (killed) can be taken at once. */
export function ownerIsDead(owner: string): boolean {
  const [host, pid] = owner.split(':');
  if (host !== os.hostname() || owner === OWNER) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Mailings that are `sending` but that no live process is sending (after a crash or restart). */
export async function orphanedMailings(): Promise<string[]> {
  const sending = await Mailing.find({ status: 'sending' }, { leaseOwner: 1, leaseUntil: 1 }).lean();
  const now = Date.now();
  return sending
    .filter((m) => !m.leaseOwner || !m.leaseUntil || m.leaseUntil.getTime() < now || ownerIsDead(m.leaseOwner))
    .map((m) => String(m._id));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
