import type { AppContext } from '../context.js';
import { normalizeEmail } from '../lib/normalize.js';
import { Subscription } from '../subscriptions/subscription.model.js';
import { readUnsubscribeToken } from '../subscriptions/subscription.links.js';
import { unsubscribe } from '../subscriptions/subscription.service.js';
import { findContactByAddress } from '../contacts/contact.store.js';
import { emailHash, suppress } from '../suppressions/suppression.service.js';
import { SoftBounce } from './bounce.model.js';
import type { BounceReport } from './bounce.parse.js';
import { Delivery } from './delivery.model.js';
import { insertEvents } from './event-log.js';

export type BounceOutcome = 'suppressed' | 'counted' | 'unsubscribed' | 'ignored';

/**
 * Applies one report. Hard bounce or complaint: the address is suppressed from bulk mail (its
 * subscriptions become `bounced`, or `unsubscribed` for a complaint). Soft bounce: counted;
 * suppressed at SOFT_BOUNCE_LIMIT. The delivery, when known (VERP), is marked bounced.
 */
export async function recordBounce(ctx: Pick<AppContext, 'config' | 'logger'>, report: BounceReport, source: string): Promise<BounceOutcome> {
  if (report.kind === 'unsubscribe') {
    const subscriptionId = readUnsubscribeToken(ctx.config, report.token);
    return subscriptionId && (await unsubscribe(subscriptionId, 'mailto')) ? 'unsubscribed' : 'ignored';
  }
  const delivery = report.deliveryId ? await Delivery.findById(report.deliveryId).lean() : null;
  const email = delivery?.email ?? (report.recipient ? normalizeEmail(report.recipient) : undefined);
  if (!email) return 'ignored';
  if (delivery) {
    await insertEvents([
      {
        _id: `${delivery._id}:bounce`,
        delivery: delivery._id,
        mailing: delivery.mailing,
        event: 'bounced',
        attempt: 0,
        bounceType: report.kind,
        error: report.reason,
        at: new Date(),
      },
    ]);
  }
  const contact = delivery ? { _id: delivery.contact } : await findContactByAddress(email);
  if (report.kind === 'complaint') {
    await suppress(email, 'complaint', source);
    if (contact) {
      const subscriptions = await Subscription.find({ contact: contact._id, status: { $in: ['subscribed', 'pending'] } }, { _id: 1 }).lean();
      for (const s of subscriptions) await unsubscribe(String(s._id), 'complaint');
    }
    return 'suppressed';
  }
  if (report.kind === 'soft') {
    const counter = await countSoftBounce(email, report.reason);
    if (counter < ctx.config.bounces.softLimit) return 'counted';
  }
  await suppress(email, report.kind === 'hard' ? 'hard-bounce' : 'soft-bounces', source);
  if (contact) await Subscription.updateMany({ contact: contact._id, status: { $in: ['subscribed', 'pending'] } }, { $set: { status: 'bounced' } });
  return 'suppressed';
}

async function countSoftBounce(email: string, reason: string): Promise<number> {
  const _id = emailHash(email);
  const existing = await SoftBounce.findById(_id).lean();
  if (!existing) {
    await SoftBounce.create({ _id, count: 1, lastAt: new Date(), lastReason: reason });
    return 1;
  }
  await SoftBounce.updateOne({ _id }, { $inc: { count: 1 }, $set: { lastAt: new Date(), lastReason: reason } });
  return existing.count + 1;
}
