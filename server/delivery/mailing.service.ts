import { Types } from 'mongoose';
import type { AppContext } from '../context.js';
import { badRequest, notFound } from '../lib/errors.js';
import type { ListQuery } from '../lib/rest.js';
import { resolveList } from '../lists/list.service.js';
import { Segment } from '../segments/segment.model.js';
import { Subscription } from '../subscriptions/subscription.model.js';
import type { Actor } from '../users/user.service.js';
import { ensureUnsubscribeLink } from './bulk-message.js';
import { withId } from '../lib/db.js';
import { Delivery, DeliveryEvent, deliveriesOf, eventsOf, foldEvents, type DeliveryEventKind, type DeliveryRecord, type DeliveryStatus, type MailingRange } from './delivery.model.js';
import { contentOf, Mailing, MailingContent, type MailingStatus } from './mailing.model.js';
import type { MailContent } from './personalize.js';

/** The Agenda job that runs the sender (defined in jobs/mailing-send.job.ts). */
export const MAILING_SEND_JOB = 'mailing:send';

export type MailingInput = {
  source: { kind: string; id?: string };
  /** A list id or code. */
  list: string;
  segment?: string;
  content: MailContent;
  browserUrl?: string;
};

/**
 * A draft mailing. `content` is compiled once (placeholders of personalize.ts left in); an
 * unsubscribe link is added when the content has none.
 */
export async function createMailing(input: MailingInput, actor?: Actor) {
  const list = await resolveList(input.list);
  if (input.segment && !(Types.ObjectId.isValid(input.segment) && (await Segment.exists({ _id: input.segment })))) {
    throw badRequest('Segment inconnu.', 'segment');
  }
  for (const part of ['subject', 'html', 'text'] as const) {
    if (!input.content?.[part]?.trim()) throw badRequest(`Le contenu de l'envoi n'a pas de ${part === 'subject' ? 'sujet' : `partie ${part}`}.`, `content.${part}`);
  }
  const content = ensureUnsubscribeLink(input.content);
  const mailing = await insertMailing({ source: input.source, list: list._id, segment: input.segment, browserUrl: input.browserUrl, status: 'draft', createdBy: actor?.id }, content);
  return Object.assign(mailing, { content });
}

/** A new mailing and its content (mailing.model.ts), the content first: a mailing never exists without it. */
async function insertMailing(fields: Record<string, unknown>, content: MailContent) {
  const { _id } = await MailingContent.create({ _id: new Types.ObjectId(), ...content });
  return Mailing.create({ ...fields, _id });
}

/** Drops a draft or cancelled mailing with its content and recipients (a campaign reopened before sending). */
export async function dropMailing(mailing: Types.ObjectId) {
  const range = await Mailing.findById(mailing, { deliveriesFrom: 1 }).lean();
  await Delivery.deleteMany(range ? deliveriesOf(range) : { mailing });
  const dropped = await Mailing.deleteOne({ _id: mailing, status: { $in: ['draft', 'cancelled'] } });
  if (dropped.deletedCount) await MailingContent.deleteOne({ _id: mailing });
}

/** draft → sending; the sender job resolves the audience at send time. */
export async function startMailing(ctx: Pick<AppContext, 'scheduler'>, id: string) {
  const started = await Mailing.findOneAndUpdate({ _id: id, status: 'draft' }, { $set: { status: 'sending', startedAt: new Date() } }, { returnDocument: 'after' });
  if (!started) throw await stateError(id, 'démarré');
  await enqueueSend(ctx, id);
  return started;
}

/** Staff stop a mailing for good; what is in flight finishes and is recorded, what was sent stays counted. */
export async function cancelMailing(id: string) {
  const cancelled = await Mailing.findOneAndUpdate(
    { _id: id, status: { $in: ['draft', 'sending', 'paused'] } },
    { $set: { status: 'cancelled', finishedAt: new Date() }, $unset: { pauseReason: 1 } },
    { returnDocument: 'after' },
  );
  if (!cancelled) throw await stateError(id, 'annulé');
  return cancelled;
}

/** Staff stop a running mailing; what is in flight finishes and is recorded. */
export async function pauseMailing(id: string) {
  const paused = await Mailing.findOneAndUpdate(
    { _id: id, status: 'sending' },
    { $set: { status: 'paused', pauseReason: "Envoi suspendu par l'équipe." } },
    { returnDocument: 'after' },
  );
  if (!paused) throw await stateError(id, 'suspendu');
  return paused;
}

export async function resumeMailing(ctx: Pick<AppContext, 'scheduler'>, id: string) {
  // Retries waiting for their back-off are due again now that someone looked at the cause.
  const resumed = await Mailing.findOneAndUpdate(
    { _id: id, status: 'paused' },
    { $set: { status: 'sending', resumedAt: new Date() }, $unset: { pauseReason: 1 } },
    { returnDocument: 'after' },
  );
  if (!resumed) throw await stateError(id, 'repris');
  await enqueueSend(ctx, id);
  return resumed;
}

export async function enqueueSend(ctx: Pick<AppContext, 'scheduler'>, id: string): Promise<void> {
  await ctx.scheduler.agenda.now(MAILING_SEND_JOB, { mailingId: id });
}

async function stateError(id: string, verb: string) {
  const mailing = await Mailing.findById(id, { status: 1 }).lean();
  if (!mailing) return notFound('Envoi');
  return badRequest(`Cet envoi ne peut pas être ${verb} : il est à l'état « ${STATUS_LABELS[mailing.status as MailingStatus]} ».`, 'status');
}

const STATUS_LABELS: Record<MailingStatus, string> = {
  draft: 'brouillon',
  sending: 'en cours',
  paused: 'suspendu',
  sent: 'envoyé',
  cancelled: 'annulé',
};

export type MailingProgress = {
  status: MailingStatus;
  /** Sending was asked for, the audience is not resolved yet: no total to show. */
  preparing: boolean;
  /** Messages handled per minute since the start, and the seconds left at that pace (while sending). */
  perMinute?: number;
  secondsLeft?: number;
  total: number;
  sent: number;
  failed: number;
  remaining: number;
  bounced: number;
  unsubscribed: number;
  uncertain: number;
  skipped: number;
  pauseReason?: string;
  startedAt?: Date;
  finishedAt?: Date;
};

/**
 * Figures readable while the mailing runs, counted from the delivery events. `sent` counts every
 * message the SMTP server accepted (bounced ones included); `unsubscribed` counts the list's
 * unsubscriptions since the start.
 */
export async function mailingProgress(id: string): Promise<MailingProgress> {
  const mailing = await Mailing.findById(id).lean();
  if (!mailing) throw notFound('Envoi');
  const rows = await DeliveryEvent.aggregate<{ _id: DeliveryEventKind; n: number }>([
    { $match: eventsOf(mailing) },
    { $group: { _id: '$event', n: { $sum: 1 } } },
  ]);
  const count = Object.fromEntries(rows.map((r) => [r._id, r.n])) as Partial<Record<DeliveryEventKind, number>>;
  const n = (event: DeliveryEventKind) => count[event] ?? 0;
  const unsubscribed = mailing.startedAt
    ? await Subscription.countDocuments({ list: mailing.list, status: 'unsubscribed', unsubscribedAt: { $gte: mailing.startedAt } })
    : 0;
  const done = n('sent') + n('failed') + n('uncertain') + n('skipped');
  const remaining = Math.max(0, mailing.total - done);
  const since = Math.max(mailing.startedAt?.getTime() ?? 0, mailing.audienceResolvedAt?.getTime() ?? 0);
  const minutes = (Date.now() - since) / 60_000;
  const pace = mailing.status === 'sending' && since && done && minutes > 0 ? { perMinute: Math.round(done / minutes), secondsLeft: Math.ceil((remaining / done) * minutes * 60) } : {};
  return {
    status: mailing.status as MailingStatus,
    preparing: mailing.status === 'sending' && !mailing.audienceResolvedAt,
    ...pace,
    total: mailing.total,
    sent: n('sent'),
    failed: n('failed'),
    remaining,
    bounced: n('bounced'),
    unsubscribed,
    uncertain: n('uncertain'),
    skipped: n('skipped'),
    ...(mailing.pauseReason ? { pauseReason: mailing.pauseReason } : {}),
    ...(mailing.startedAt ? { startedAt: mailing.startedAt } : {}),
    ...(mailing.finishedAt ? { finishedAt: mailing.finishedAt } : {}),
  };
}

export async function listMailings(query: ListQuery<{ status?: MailingStatus[]; list?: string; sourceKind?: string; sourceId?: string; id?: string[] }>) {
  const where: Record<string, unknown> = {};
  const f = query.filter;
  if (f.status) where.status = { $in: f.status };
  if (f.list) where.list = f.list;
  if (f.sourceKind) where['source.kind'] = f.sourceKind;
  if (f.sourceId) where['source.id'] = f.sourceId;
  if (f.id) where._id = { $in: f.id };
  const [items, total] = await Promise.all([
    Mailing.find(where, { content: 0, leaseOwner: 0, leaseUntil: 0 }).sort({ [query.sort.field]: query.sort.order }).skip(query.skip).limit(query.limit),
    Mailing.countDocuments(where),
  ]);
  return { items, total };
}

export async function getMailing(id: string) {
  const mailing = await Mailing.findById(id, { leaseOwner: 0, leaseUntil: 0 });
  if (!mailing) throw notFound('Envoi');
  return { ...mailing.toJSON(), content: await contentOf(id), progress: await mailingProgress(id) };
}

type DeliveryFilter = { mailing?: string; contact?: string; status?: DeliveryStatus[]; email?: string; id?: string[] };

/**
 * Deliveries with their state folded from the events. A status filter is applied in code
 * (state is not a stored field), so it needs the other filters to narrow the rows first.
 */
export async function listDeliveries(query: ListQuery<DeliveryFilter>) {
  const f = query.filter;
  const mailing = f.mailing ? await Mailing.findById(f.mailing, { deliveriesFrom: 1 }).lean() : undefined;
  const where: Record<string, unknown> = mailing ? deliveriesOf(mailing) : f.mailing ? { mailing: f.mailing } : {};
  if (f.contact) where.contact = f.contact;
  if (f.email) where.email = f.email.toLowerCase();
  if (f.id) where._id = { ...(where._id as object), $in: f.id };
  const sort = { [query.sort.field === 'status' ? '_id' : query.sort.field]: query.sort.order };
  if (!f.status) {
    const [rows, total] = await Promise.all([Delivery.find(where).sort(sort).skip(query.skip).limit(query.limit).lean(), Delivery.countDocuments(where)]);
    return { items: await withStates(rows), total };
  }
  const all = await withStates(await Delivery.find(where).sort(sort).lean());
  const matching = all.filter((d) => f.status!.includes(d.status));
  return { items: matching.slice(query.skip, query.skip + query.limit), total: matching.length };
}

async function withStates(rows: DeliveryRecord[]) {
  const events = await DeliveryEvent.find(rows.length > 500 ? eventsOfRows(rows) : { delivery: { $in: rows.map((r) => r._id) } }).lean();
  const states = foldEvents(events);
  return rows.map((row) => ({ ...withId(row), ...(states.get(String(row._id)) ?? { status: 'queued' as const, attempts: 0 }) }));
}

/** Many rows: their mailings' events, from the lowest row's id on (an event's id starts with its delivery's). */
function eventsOfRows(rows: DeliveryRecord[]) {
  const lowest = rows.map((r) => String(r._id)).reduce((low, id) => (id < low ? id : low));
  return { mailing: { $in: [...new Set(rows.map((r) => String(r.mailing)))] }, _id: { $gte: lowest } };
}

export async function getDelivery(id: string) {
  const delivery = await Delivery.findById(id).lean();
  if (!delivery) throw notFound('Envoi individuel');
  return (await withStates([delivery]))[0];
}

/** Deliveries of a mailing left uncertain by a crash and not sent again since (staff may ask for it). */
export async function uncertainDeliveries(id: string) {
  const mailing = await Mailing.findById(id, { _id: 1, deliveriesFrom: 1 }).lean();
  if (!mailing) throw notFound('Envoi');
  const uncertain = await DeliveryEvent.find({ ...eventsOf(mailing), event: 'uncertain' }, { delivery: 1 }).lean();
  if (!uncertain.length) return [];
  const resends = await Mailing.find({ resendOf: mailing._id }, { _id: 1, deliveriesFrom: 1 }).lean();
  const resent = new Set((await Delivery.find(deliveriesOf(resends), { contact: 1 }).lean()).map((d) => String(d.contact)));
  const rows = await Delivery.find({ _id: { $in: uncertain.map((e) => e.delivery) } }).lean();
  return rows.filter((d) => !resent.has(String(d.contact))).map((d) => ({ id: String(d._id), contact: String(d.contact), email: d.email, firstName: d.firstName, lastName: d.lastName }));
}

/**
 * Sends the same content again to the uncertain recipients only, as a mailing of its own (so
 * the first one's log stays as it happened); its figures count with the first one's source.
 */
export async function resendUncertain(ctx: Pick<AppContext, 'scheduler'>, id: string, actor?: Actor) {
  const original = await Mailing.findById(id).lean();
  if (!original) throw notFound('Envoi');
  if (!['sent', 'paused', 'cancelled'].includes(original.status)) throw badRequest("Attendez la fin de l'envoi avant de renvoyer les messages incertains.", 'status');
  const recipients = await uncertainDeliveries(id);
  if (!recipients.length) throw badRequest("Aucun destinataire incertain à qui renvoyer ce message.", 'status');
  const resend = await insertMailing(
    {
      source: original.source,
      list: original.list,
      segment: original.segment,
      browserUrl: original.browserUrl,
      fromName: original.fromName,
      resendOf: original._id,
      status: 'draft',
      createdBy: actor?.id,
    },
    await contentOf(original._id),
  );
  const rows = await Delivery.find({ _id: { $in: recipients.map((r) => new Types.ObjectId(r.id)) } }, { _id: 0, createdAt: 0 }).lean();
  await Delivery.insertMany(rows.map((row) => ({ ...row, mailing: resend._id })));
  // Who left since the original's audience was read is looked for before the first message.
  const readAt = original.audienceReadAt ?? original.audienceResolvedAt;
  const read = { ...(readAt && { audienceReadAt: readAt }), ...(original.audienceLogPosition && { audienceLogPosition: original.audienceLogPosition }) };
  await Mailing.updateOne({ _id: resend._id }, { $set: { total: rows.length, audienceResolvedAt: new Date(), ...read } });
  await startMailing(ctx, String(resend._id));
  return { mailing: String(resend._id), count: rows.length };
}

export type MailingFigures = {
  recipients: number;
  accepted: number;
  delivered: number;
  hardBounces: number;
  softBounces: number;
  complaints: number;
  failed: number;
  skipped: number;
  uncertain: number;
  unsubscribed: number;
};

/**
 * What happened to the messages of one or more mailings of the same source (a campaign and
 * its resend), in aggregate: nobody's individual reading is recorded.
 */
export async function mailingFigures(ids: ReadonlyArray<Types.ObjectId>): Promise<MailingFigures> {
  const mailings = await Mailing.find({ _id: { $in: ids } }, { total: 1, list: 1, startedAt: 1, resendOf: 1, deliveriesFrom: 1 }).lean();
  const events = await DeliveryEvent.find({ ...eventsOf(mailings), event: { $in: ['sent', 'failed', 'skipped', 'uncertain', 'bounced'] } }, { event: 1, bounceType: 1 }).lean();
  const count = (event: DeliveryEventKind, bounceType?: string) => events.filter((e) => e.event === event && (!bounceType || e.bounceType === bounceType)).length;
  const [hardBounces, softBounces, complaints] = [count('bounced', 'hard'), count('bounced', 'soft'), count('bounced', 'complaint')];
  const first = mailings.filter((m) => !m.resendOf).sort((a, b) => (a.startedAt?.getTime() ?? 0) - (b.startedAt?.getTime() ?? 0))[0] ?? mailings[0];
  let unsubscribed = 0;
  if (first?.startedAt) {
    const reached = new Set((await Delivery.find(deliveriesOf(mailings), { contact: 1 }).lean()).map((d) => String(d.contact)));
    const left = await Subscription.find({ list: first.list, status: 'unsubscribed', unsubscribedAt: { $gte: first.startedAt } }, { contact: 1 }).lean();
    unsubscribed = left.filter((s) => reached.has(String(s.contact))).length;
  }
  const accepted = count('sent');
  return {
    recipients: mailings.filter((m) => !m.resendOf).reduce((sum, m) => sum + m.total, 0),
    accepted,
    delivered: Math.max(0, accepted - hardBounces - softBounces),
    hardBounces,
    softBounces,
    complaints,
    failed: count('failed'),
    skipped: count('skipped'),
    uncertain: count('uncertain') - (await resentCount(mailings.filter((m) => m.resendOf))),
    unsubscribed,
  };
}

const resentCount = async (resends: MailingRange[]) => (resends.length ? Delivery.countDocuments(deliveriesOf(resends)) : 0);
