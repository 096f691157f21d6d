import { randomBytes } from 'node:crypto';
import { Types } from 'mongoose';
import type { AppContext } from '../context.js';
import { rawCollection } from '../lib/db.js';
import { OWNER, ownerIsDead } from '../lib/process-owner.js';
import { logPosition, subscriptionsNotedAfter } from '../contacts/contact.store.js';
import { List } from '../lists/list.model.js';
import { Subscription } from '../subscriptions/subscription.model.js';
import { Suppression } from '../suppressions/suppression.model.js';
import { emailHash } from '../suppressions/suppression.service.js';
import { bulkComposer, bulkEnvelope } from './bulk-message.js';
import {
  claimsCollection,
  DeliveryEvent,
  eventsOf,
  foldEvents,
  LEGACY_CLAIMS,
  recipientsOf,
  type DeliveryClaimRecord,
  type DeliveryEventKind,
  type DeliveryEventRecord,
  type DeliveryRecord,
  type DeliveryState,
} from './delivery.model.js';
import { BufferedInsert, GroupInsert, insertEvents } from './event-log.js';
import { failureReason, isTemporaryFailure, mailerFor, type MailSession, type Mailer } from './mailer.js';
import { contentOf, Mailing, type MailingRecord } from './mailing.model.js';
import type { MailContent } from './personalize.js';

export type SenderOptions = {
  /** Deliveries a lane takes from the queue at a time. */
  batchSize: number;
  /** Parallel SMTP lanes; at most this many messages can be uncertain after a crash. */
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
  batchSize: 50,
  maxAttempts: 5,
  backoffMs: (attempt) => Math.min(30_000 * 4 ** (attempt - 1), 3600_000), // 30 s, 2 min, 8 min, 32 min
  pauseAfter: 20,
  leaseMs: 30_000,
};

/**
 * How often the sender reads the mailing's status (paused or cancelled by staff?): every
 * CHECK_EVERY messages, but not sooner than CHECK_MIN_MS after the last read; one read by id,
 * the lanes waiting for it. So a stop takes effect within CHECK_EVERY messages or CHECK_MIN_MS,
 * whichever is longer (plus the messages in flight). At the default rate (50 a second) the count
 * decides; unthrottled, a read every 50 messages cost a tenth of the CPU of the whole send.
 */
export const CHECK_EVERY = 50;
export const CHECK_MIN_MS = 500;
/** How often the sender touches its job (Agenda's lock lasts 10 minutes). */
const TOUCH_EVERY_MS = 60_000;
/**
 * A claim waits for the claims of every other lane, or this long at most (see GroupInsert): the
 * lanes then send together and claim together again, 16 claims per insert with 16 lanes, where
 * claims going as they came averaged 9. Longer than a local SMTP transaction, far shorter than
 * a remote one: a lane slowed by its server does not hold the others back for longer.
 */
const CLAIM_WAIT_MS = 10;
/** `sent` outcomes are written in bulk: every 200 ms or 500 messages. */
const OUTCOMES = { everyMs: 200, maxDocs: 500 };

export type RunOutcome = 'sent' | 'paused' | 'busy' | 'stopped';

type Pending = { delivery: DeliveryRecord; attempt: number; due?: number };

/**
 * Sends a mailing until nothing is left, walking its deliveries in id order with `concurrency`
 * lanes, each sending one message at a time. Before each message its lane claims it in
 * `delivery_claims` (the lanes' claims of the moment in one insert); outcomes go to
 * `delivery_events` in bulk, a failure at once. A restart never sends a claimed attempt twice:
 * the last claim of each lane is the only uncertain message, reported, not resent.
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
  let sender: ReturnType<typeof createSender> | undefined;
  try {
    const mailing = (await Mailing.findById(mailingId).lean())!;
    // Resolved by whoever started this run (the mailing-send job: ensureAudience), so that the
    // sending process does without the contact index and the segments.
    if (!mailing.audienceResolvedAt) {
      ctx.logger.warn({ mailing: mailingId }, 'mailing audience not resolved: nothing sent');
      return 'stopped';
    }
    const states = await settleInterruptedRuns(ctx, mailing);
    const list = (await List.findById(mailing.list, { code: 1, name: 1 }).lean())!;
    sender = createSender(ctx, opts, mailing, list, await contentOf(mailing._id));
    let touchedAt = 0;
    const stillSending = async (): Promise<RunOutcome | undefined> => {
      if (Date.now() - touchedAt >= TOUCH_EVERY_MS) {
        touchedAt = Date.now();
        await opts.touch?.();
      }
      const current = await Mailing.findById(mailingId, { status: 1 }).lean();
      if (sender!.paused || current?.status === 'paused') return 'paused';
      if (leaseLost || current?.status !== 'sending') return 'stopped';
      return undefined;
    };

    const queue: Pending[] = [];
    const now = Date.now();
    for (const delivery of await recipientsOf(mailing)) {
      const state = states.get(String(delivery._id));
      if (state && state.status !== 'queued') continue;
      const waived = state?.retriedAt && mailing.resumedAt && state.retriedAt < mailing.resumedAt;
      const pending = { delivery, attempt: (state?.attempts ?? 0) + 1, due: waived ? undefined : state?.nextAttemptAt?.getTime() };
      if (pending.due && pending.due > now) sender.retries.push(pending);
      else queue.push(pending);
    }
    const first = await stillSending();
    if (first) return first;
    let stop = await sender.send(queue, stillSending);
    while (!stop && sender.retries.length) {
      sender.retries.sort((a, b) => (a.due ?? 0) - (b.due ?? 0));
      const wait = (sender.retries[0].due ?? 0) - Date.now();
      if (wait > 0) {
        await sleep(Math.min(wait, 1000));
        stop = await stillSending();
        continue;
      }
      const due = sender.retries.filter((r) => (r.due ?? 0) <= Date.now());
      sender.retries = sender.retries.filter((r) => !due.includes(r));
      stop = await sender.send(due, stillSending);
    }
    await sender.drain();
    stop ??= await stillSending();
    if (stop) return stop;
    await Mailing.updateOne({ _id: mailing._id, status: 'sending' }, { $set: { status: 'sent', finishedAt: new Date() } });
    await dropClaims(mailing._id);
    ctx.logger.info({ mailing: mailingId }, 'mailing sent');
    return 'sent';
  } finally {
    clearInterval(renew);
    await sender?.drain().catch((error: unknown) => ctx.logger.error({ err: error }, 'delivery outcomes not recorded'));
    await Mailing.updateOne({ _id: mailingId, leaseOwner: OWNER }, { $unset: { leaseOwner: 1, leaseUntil: 1 } });
  }
}

function createSender(
  ctx: Pick<AppContext, 'config' | 'logger'>,
  opts: SenderOptions,
  mailing: MailingRecord,
  list: { code: string; name: string },
  content: MailContent,
) {
  const mailer = opts.mailer ?? mailerFor(ctx.config, 'bulk');
  const compose = bulkComposer(ctx.config, list, content, mailing.browserUrl ?? undefined, mailing.fromName);
  let lanesRunning = 0;
  const claims = new GroupInsert<DeliveryClaimRecord>(claimsCollection(mailing._id), { size: () => lanesRunning, waitMs: CLAIM_WAIT_MS });
  const outcomes = new BufferedInsert<DeliveryEventRecord>(DeliveryEvent.collection.collectionName, OUTCOMES);
  const run = randomBytes(4).toString('hex');
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
    /**
     * Sends `pending` through `concurrency` lanes, each taking `batchSize` deliveries at a time;
     * recipients who left are skipped. Every CHECK_EVERY messages (CHECK_MIN_MS at least) `check`
     * says whether to go on (the lanes wait for its answer); when it says stop, each lane ends the message it is sending and stops.
     */
    async send(pending: Pending[], check: () => Promise<RunOutcome | undefined>): Promise<RunOutcome | undefined> {
      let next = 0;
      let stop: RunOutcome | undefined;
      let failure: unknown;
      let checking: Promise<void> | undefined;
      let sinceCheck = 0;
      let checkedAt = Date.now();
      const halted = () => Boolean(stop || state.paused || failure);
      const take = async (): Promise<Pending[]> => {
        await left.refresh();
        const batch: Pending[] = [];
        while (batch.length < opts.batchSize && next < pending.length) {
          const p = pending[next++];
          if (left.has(p.delivery)) outcomes.append(event(p.delivery, p.attempt, 'skipped', { error: SKIPPED }));
          else batch.push(p);
        }
        return batch;
      };
      const checkDue = () => ++sinceCheck >= CHECK_EVERY && Date.now() - checkedAt >= CHECK_MIN_MS && !checking;
      const checkNow = () => {
        sinceCheck = 0;
        checkedAt = Date.now();
        checking = check().then(
          (outcome) => void (stop ??= outcome),
          (error: unknown) => void (failure ??= error),
        );
        void checking.finally(() => (checking = undefined));
      };
      const lane = async (id: string) => {
        const session = mailer.session?.();
        let n = 0;
        let batch: Pending[] = [];
        const following = async () => batch.shift() ?? (batch = await take()).shift();
        try {
          for (let p = await following(); p && !halted(); ) {
            if (checkDue()) checkNow();
            await checking; // no claim while the status is being read: a stop is seen before the next message
            if (halted()) break;
            const claim = { _id: `${p.delivery._id}:${p.attempt}`, lane: id, n: n++ };
            const alreadyMade = (await claims.write([claim])).has(claim._id);
            const next = await following();
            if (!alreadyMade) await one(p, session, next);
            p = next;
          }
        } finally {
          session?.end(); // drops the connection if it awaits a message named as next and not sent
        }
      };
      // A lane that fails (the database gone) stops the others after their current message.
      // A lane that ends no longer holds the others' claims back.
      lanesRunning = opts.concurrency;
      const lanes = Array.from({ length: opts.concurrency }, (_, k) =>
        lane(`${run}:${k}`)
          .catch((error: unknown) => void (failure ??= error))
          .finally(() => {
            lanesRunning--;
            claims.consider();
          }),
      );
      await Promise.all(lanes);
      await checking;
      if (failure) throw failure;
      return stop ?? (state.paused ? 'paused' : undefined);
    },
    drain: () => outcomes.drain(),
  };
  return sender;

  /** Sends one message; `next`, the lane's message after it, has its envelope sent with this one's end. */
  async function one({ delivery, attempt }: Pending, session: MailSession | undefined, next: Pending | undefined) {
    let result;
    try {
      const message = compose({
        deliveryId: String(delivery._id),
        mailingId: String(mailing._id),
        contactId: String(delivery.contact),
        subscriptionId: String(delivery.subscription),
        email: delivery.email,
        firstName: delivery.firstName,
        lastName: delivery.lastName,
        organisation: delivery.organisation,
      });
      const nextEnvelope = next && bulkEnvelope(ctx.config, { deliveryId: String(next.delivery._id), email: next.delivery.email });
      result = await (session ? session.send(message, nextEnvelope) : mailer.send(message));
    } catch (error) {
      await recordFailure(delivery, attempt, error);
      return;
    }
    outcomes.append(event(delivery, attempt, 'sent', { response: result.response.slice(0, 300) }));
    state.consecutiveFailures = 0;
  }

  /** Recorded before the lane's next claim: a claim without an outcome then means accepted. */
  async function recordFailure(delivery: DeliveryRecord, attempt: number, error: unknown) {
    const reason = failureReason(error);
    if (isTemporaryFailure(error) && attempt < opts.maxAttempts) {
      const due = Date.now() + opts.backoffMs(attempt);
      await insertEvents([event(delivery, attempt, 'retry', { error: reason, nextAttemptAt: new Date(due) })]);
      sender.retries.push({ delivery, attempt: attempt + 1, due });
    } else {
      await insertEvents([event(delivery, attempt, 'failed', { error: reason })]);
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
 * Who left since the audience was read (unsubscribed, suppressed): looked up before the first
 * message, then every 30 seconds, with two queries on what changed since the last look, so a
 * recipient who leaves mid-send is skipped without a lookup per message. The subscriptions
 * changed are named by the contact index's log (a few lookups by `_id`); only when the log
 * cannot tell are the list's subscriptions read, every one of them on FerretDB/SQLite, which
 * made a look cost as much as sending a few thousand messages. The suppressions are few.
 */
const DEPARTURES_CHECK_MS = 30_000;

function departures(mailing: MailingRecord) {
  const contacts = new Set<string>();
  const hashes = new Set<string>();
  let since = mailing.audienceReadAt ?? mailing.audienceResolvedAt ?? new Date(0);
  let position = mailing.audienceLogPosition ?? undefined;
  let checkedAt = 0;
  let refreshing: Promise<void> | undefined;
  const look = async () => {
    const now = new Date();
    const [left, suppressed] = await Promise.all([subscriptionsLeft(), Suppression.find({ updatedAt: { $gte: since } }, { emailHash: 1 }).lean()]);
    for (const contact of left) contacts.add(contact);
    for (const s of suppressed) hashes.add(s.emailHash);
    since = new Date(now.getTime() - 1000); // overlap: a write in flight during the query is seen next time
  };
  const subscriptionsLeft = async (): Promise<string[]> => {
    const noted = position ? await subscriptionsNotedAfter(position) : undefined;
    position = noted?.position ?? (await logPosition());
    const fields = { contact: 1, list: 1, status: 1 };
    const changed = !noted
      ? await Subscription.find({ list: mailing.list, updatedAt: { $gte: since } }, fields).lean()
      : noted.ids.length
        ? await Subscription.find({ _id: { $in: noted.ids.map((id) => new Types.ObjectId(id)) } }, fields).lean()
        : [];
    return changed.filter((s) => String(s.list) === String(mailing.list) && s.status !== 'subscribed').map((s) => String(s.contact));
  };
  return {
    /** Called before a lane takes deliveries; lanes asking during a look wait for it. */
    async refresh() {
      if (!refreshing && Date.now() - checkedAt >= DEPARTURES_CHECK_MS) {
        checkedAt = Date.now();
        refreshing = look().finally(() => (refreshing = undefined));
      }
      await refreshing;
    },
    has: (d: DeliveryRecord) => contacts.has(String(d.contact)) || (hashes.size > 0 && hashes.has(emailHash(d.email))),
  };
}

/**
 * After an interruption: each attempt claimed without a recorded outcome was accepted by the SMTP
 * server, except the last claim of each lane, which may or may not have been (`uncertain`, never
 * resent); attempts left `sending` by an older sender are uncertain too. Records those outcomes
 * and returns the state of every delivery.
 */
async function settleInterruptedRuns(ctx: Pick<AppContext, 'logger'>, mailing: MailingRecord): Promise<Map<string, DeliveryState>> {
  const [events, claims, legacyClaims] = await Promise.all([
    DeliveryEvent.find(eventsOf(mailing)).lean(),
    rawCollection<DeliveryClaimRecord>(claimsCollection(mailing._id)).find({}).toArray(),
    rawCollection<DeliveryClaimRecord>(LEGACY_CLAIMS).find({ mailing: mailing._id }).toArray(),
  ]);
  claims.push(...legacyClaims);
  const ended = new Set(events.filter((e) => OUTCOME_EVENTS.has(e.event)).map((e) => `${e.delivery}:${e.attempt}`));
  const lastOfLane = new Map<string, DeliveryClaimRecord>();
  for (const claim of claims) if ((lastOfLane.get(claim.lane)?.n ?? -1) < claim.n) lastOfLane.set(claim.lane, claim);
  const uncertainError = "Envoi interrompu pendant l'appel SMTP : le message a peut-être été remis. Il n'est pas renvoyé.";
  const settled: DeliveryEventRecord[] = [];
  const at = new Date();
  for (const claim of claims.filter((c) => !ended.has(c._id))) {
    const [delivery, attempt] = claim._id.split(':');
    const uncertain = lastOfLane.get(claim.lane) === claim;
    settled.push({
      _id: `${claim._id}:${uncertain ? 'uncertain' : 'sent'}`,
      delivery: new Types.ObjectId(delivery),
      mailing: mailing._id,
      event: uncertain ? 'uncertain' : 'sent',
      attempt: Number(attempt),
      ...(uncertain ? { error: uncertainError } : { response: RECOVERED_RESPONSE }),
      at,
    });
  }
  for (const [id, s] of foldEvents(events)) {
    if (s.status === 'sending') settled.push({ _id: `${id}:${s.attempts}:uncertain`, delivery: new Types.ObjectId(id), mailing: mailing._id, event: 'uncertain', attempt: s.attempts, error: uncertainError, at });
  }
  if (!settled.length) return foldEvents(events);
  const written = settled.filter((e) => !ended.has(`${e.delivery}:${e.attempt}`));
  const duplicates = await insertEvents(written);
  const uncertain = written.filter((e) => e.event === 'uncertain' && !duplicates.has(e._id));
  if (uncertain.length) await Mailing.updateOne({ _id: mailing._id }, { $inc: { uncertain: uncertain.length } });
  ctx.logger.warn({ mailing: String(mailing._id), recovered: written.length - uncertain.length, uncertain: uncertain.map((e) => String(e.delivery)) }, 'deliveries settled after an interruption');
  return foldEvents([...events, ...written]);
}

const OUTCOME_EVENTS = new Set<DeliveryEventKind>(['sent', 'failed', 'retry', 'uncertain', 'skipped']);
/** The reply of an accepted message whose `sent` record was lost in an interruption. */
const RECOVERED_RESPONSE = '250 (accepted; the server reply was not kept: the sender was interrupted)';

/** A sent mailing's claims are of no more use. */
async function dropClaims(mailing: Types.ObjectId): Promise<void> {
  await rawCollection(claimsCollection(mailing))
    .drop()
    .catch((error: unknown) => {
      if ((error as { code?: number }).code !== NAMESPACE_NOT_FOUND) throw error;
    });
  await rawCollection(LEGACY_CLAIMS).deleteMany({ mailing });
}
const NAMESPACE_NOT_FOUND = 26;

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

/** Mailings that are `sending` but that no live process is sending (after a crash or restart). */
export async function orphanedMailings(): Promise<string[]> {
  const sending = await Mailing.find({ status: 'sending' }, { leaseOwner: 1, leaseUntil: 1 }).lean();
  const now = Date.now();
  return sending
    .filter((m) => !m.leaseOwner || !m.leaseUntil || m.leaseUntil.getTime() < now || ownerIsDead(m.leaseOwner))
    .map((m) => String(m._id));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
