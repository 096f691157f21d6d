import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { Types } from 'mongoose';
import type { AppContext } from '../context.js';
import { List } from '../lists/list.model.js';
import { Subscription } from '../subscriptions/subscription.model.js';
import { Suppression } from '../suppressions/suppression.model.js';
import { emailHash } from '../suppressions/suppression.service.js';
import { resolveAudience } from './audience.js';
import { bulkComposer } from './bulk-message.js';
import { Delivery, DeliveryEvent, foldEvents, type DeliveryEventKind, type DeliveryEventRecord, type DeliveryRecord, type DeliveryState } from './delivery.model.js';
import { EventLog, insertEvents } from './event-log.js';
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

type Pending = { delivery: DeliveryRecord; attempt: number; due?: number };

/**
 * Sends a mailing until nothing is left, walking its deliveries in id order. Each attempt is
 * logged `sending` before the SMTP call and `sent` / `failed` / `retry` after it, so a restart
 * never sends a recorded message twice and skips no one; attempts found `sending` at start are
 * the uncertain ones (at most one per parallel call) and are reported, not resent.
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
    const states = foldEvents(await DeliveryEvent.find({ mailing: mailing._id }).lean());
    await markUncertain(ctx, mailing, states);
    const list = (await List.findById(mailing.list, { code: 1, name: 1 }).lean())!;
    const sender = createSender(ctx, opts, mailing, list);
    const stillSending = async (): Promise<RunOutcome | undefined> => {
      await opts.touch?.();
      const current = await Mailing.findById(mailingId, { status: 1 }).lean();
      if (sender.paused || current?.status === 'paused') return 'paused';
      if (leaseLost || current?.status !== 'sending') return 'stopped';
      return undefined;
    };

    let chunk: Pending[] = [];
    const now = Date.now();
    // One read of the whole audience (a few hundred bytes per recipient): FerretDB answers a
    // cursor's later batches far slower than one query.
    const audience = await Delivery.find({ mailing: mailing._id }, { createdAt: 0 }).sort({ _id: 1 }).lean<DeliveryRecord[]>();
    for (const delivery of audience) {
      const state = states.get(String(delivery._id));
      if (state && state.status !== 'queued') continue;
      const waived = state?.retriedAt && mailing.resumedAt && state.retriedAt < mailing.resumedAt;
      const pending = { delivery, attempt: (state?.attempts ?? 0) + 1, due: waived ? undefined : state?.nextAttemptAt?.getTime() };
      if (pending.due && pending.due > now) sender.retries.push(pending);
      else chunk.push(pending);
      if (chunk.length < opts.batchSize) continue;
      const stop = (await stillSending()) ?? (await sender.chunk(chunk), await stillSending());
      if (stop) return stop;
      chunk = [];
    }
    if (chunk.length) {
      const stop = (await stillSending()) ?? (await sender.chunk(chunk), await stillSending());
      if (stop) return stop;
    }
    while (sender.retries.length) {
      const stop = await stillSending();
      if (stop) return stop;
      sender.retries.sort((a, b) => (a.due ?? 0) - (b.due ?? 0));
      const wait = (sender.retries[0].due ?? 0) - Date.now();
      if (wait > 0) {
        await sleep(Math.min(wait, 1000));
        continue;
      }
      const due = sender.retries.filter((r) => (r.due ?? 0) <= Date.now());
      sender.retries = sender.retries.filter((r) => !due.includes(r));
      await sender.chunk(due);
    }
    const stop = await stillSending();
    if (stop) return stop;
    await Mailing.updateOne({ _id: mailing._id, status: 'sending' }, { $set: { status: 'sent', finishedAt: new Date() } });
    ctx.logger.info({ mailing: mailingId }, 'mailing sent');
    return 'sent';
  } finally {
    clearInterval(renew);
    await Mailing.updateOne({ _id: mailingId, leaseOwner: OWNER }, { $unset: { leaseOwner: 1, leaseUntil: 1 } });
  }
}

function createSender(ctx: Pick<AppContext, 'config' | 'logger'>, opts: SenderOptions, mailing: MailingRecord, list: { code: string; name: string }) {
  const mailer = opts.mailer ?? mailerFor(ctx.config, 'bulk');
  const compose = bulkComposer(ctx.config, list, mailing.content, mailing.browserUrl ?? undefined, mailing.fromName);
  const log = new EventLog();
  const left = departures(mailing);
  const state = { paused: false, consecutiveFailures: 0 };
  const event = (d: DeliveryRecord, attempt: number, kind: DeliveryEventKind, extra: Partial<DeliveryEventRecord> = {}): DeliveryEventRecord => ({
    _id: `${d._id}:${attempt}:${kind}`,
    delivery: d._id,
    mailing: mailing._id,
    event: kind,
    attempt,
    at: new Date(),
    ...extra,
  });

  const sender = {
    retries: [] as Pending[],
    get paused() {
      return state.paused;
    },
    /** Sends a chunk with `concurrency` parallel SMTP calls; recipients who left are skipped. */
    async chunk(pending: Pending[]) {
      await left.refresh();
      await insertEvents(pending.filter((p) => left.has(p.delivery)).map((p) => event(p.delivery, p.attempt, 'skipped', { error: SKIPPED })));
      const queue = pending.filter((p) => !left.has(p.delivery));
      let next = 0;
      const worker = async () => {
        while (next < queue.length && !state.paused) await one(queue[next++]);
      };
      await Promise.all(Array.from({ length: opts.concurrency }, worker));
    },
  };
  return sender;

  async function one({ delivery, attempt }: Pending) {
    const claim = event(delivery, attempt, 'sending');
    if ((await log.write([claim])).has(claim._id)) return; // this attempt was already made
    let result;
    try {
      result = await mailer.send(
        compose({
          deliveryId: String(delivery._id),
          mailingId: String(mailing._id),
          contactId: String(delivery.contact),
          subscriptionId: String(delivery.subscription),
          email: delivery.email,
          firstName: delivery.firstName,
          lastName: delivery.lastName,
          organisation: delivery.organisation,
        }),
      );
    } catch (error) {
      await recordFailure(delivery, attempt, error);
      return;
    }
    // A failure to record here propagates: the attempt stays `sending` and is reported as uncertain.
    await log.write([event(delivery, attempt, 'sent', { response: result.response.slice(0, 300) })]);
    state.consecutiveFailures = 0;
  }

  async function recordFailure(delivery: DeliveryRecord, attempt: number, error: unknown) {
    const reason = failureReason(error);
    if (isTemporaryFailure(error) && attempt < opts.maxAttempts) {
      const due = Date.now() + opts.backoffMs(attempt);
      await log.write([event(delivery, attempt, 'retry', { error: reason, nextAttemptAt: new Date(due) })]);
      sender.retries.push({ delivery, attempt: attempt + 1, due });
    } else {
      await log.write([event(delivery, attempt, 'failed', { error: reason })]);
    }
    state.consecutiveFailures++;
    if (state.consecutiveFailures >= opts.pauseAfter && !state.paused) {
      state.paused = true;
      const pauseReason = `Envoi suspendu après ${state.consecutiveFailures} échecs consécutifs. Dernière réponse du serveur d'envoi : « ${reason} ». Vérifiez le serveur SMTP, puis reprenez l'envoi.`;
      await Mailing.updateOne({ _id: mailing._id, status: 'sending' }, { $set: { status: 'paused', pauseReason } });
      ctx.logger.warn({ mailing: String(mailing._id), reason }, 'mailing paused after consecutive failures');
    }
  }
}

const SKIPPED = "Désabonné·e ou exclu·e des envois avant l'envoi.";

/**
 * Who left since the audience was resolved (unsubscribed, suppressed), refreshed at most every
 * few seconds with two queries on what changed since the last look, so a recipient who leaves
 * mid-send is skipped without a lookup per message.
 */
const DEPARTURES_CHECK_MS = 5000;

function departures(mailing: MailingRecord) {
  const contacts = new Set<string>();
  const hashes = new Set<string>();
  let since = mailing.audienceResolvedAt ?? new Date(0);
  let checkedAt = 0;
  return {
    async refresh() {
      if (Date.now() - checkedAt < DEPARTURES_CHECK_MS) return;
      const now = new Date();
      const [left, suppressed] = await Promise.all([
        Subscription.find({ list: mailing.list, status: { $ne: 'subscribed' }, updatedAt: { $gte: since } }, { contact: 1 }).lean(),
        Suppression.find({ updatedAt: { $gte: since } }, { emailHash: 1 }).lean(),
      ]);
      for (const s of left) contacts.add(String(s.contact));
      for (const s of suppressed) hashes.add(s.emailHash);
      since = new Date(now.getTime() - 1000); // overlap: a write in flight during the query is seen next time
      checkedAt = now.getTime();
    },
    has: (d: DeliveryRecord) => contacts.has(String(d.contact)) || (hashes.size > 0 && hashes.has(emailHash(d.email))),
  };
}

async function markUncertain(ctx: Pick<AppContext, 'logger'>, mailing: MailingRecord, states: Map<string, DeliveryState>): Promise<void> {
  const stuck = [...states.entries()].filter(([, s]) => s.status === 'sending');
  if (!stuck.length) return;
  const error = "Envoi interrompu pendant l'appel SMTP : le message a peut-être été remis. Il n'est pas renvoyé.";
  await insertEvents(
    stuck.map(([id, s]) => ({ _id: `${id}:${s.attempts}:uncertain`, delivery: new Types.ObjectId(id), mailing: mailing._id, event: 'uncertain', attempt: s.attempts, error, at: new Date() })),
  );
  for (const [, s] of stuck) Object.assign(s, { status: 'uncertain', error });
  await Mailing.updateOne({ _id: mailing._id }, { $inc: { uncertain: stuck.length } });
  ctx.logger.warn({ mailing: String(mailing._id), deliveries: stuck.map(([id]) => id) }, 'uncertain deliveries after an interruption');
}

/** Resolves a mailing's audience now if it has none yet: the worker does it before forking the sending process, which then keeps no contact index. */
export async function ensureAudience(mailingId: string): Promise<void> {
  const mailing = await Mailing.findById(mailingId).lean();
  if (mailing?.status === 'sending' && !mailing.audienceResolvedAt) await resolveAudience(mailing);
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
