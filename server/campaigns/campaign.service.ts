import { Types } from 'mongoose';
import { clicksOf, trackContentLinks } from '../clicks/click.service.js';
import type { AppContext } from '../context.js';
import { findContactByEmail } from '../contacts/contact.service.js';
import { audienceSummary, basisOf, resolveAudience, type AudienceBasis } from '../delivery/audience.js';
import { Mailing } from '../delivery/mailing.model.js';
import {
  cancelMailing,
  createMailing,
  dropMailing,
  mailingFigures,
  mailingProgress,
  pauseMailing,
  resendUncertain,
  resumeMailing,
  startMailing,
  uncertainDeliveries,
} from '../delivery/mailing.service.js';
import { personalize, type MailContent } from '../delivery/personalize.js';
import { sendTransactional } from '../delivery/transactional.js';
import type { Config } from '../lib/config.js';
import { AppError, badRequest, conflict, notFound } from '../lib/errors.js';
import { claimOnce, releaseClaim } from '../lib/db.js';
import { escapeRegExp, normalizeText } from '../lib/normalize.js';
import { parisInstant, parisYearRange } from '../lib/paris-time.js';
import type { ListQuery } from '../lib/rest.js';
import { List } from '../lists/list.model.js';
import { resolveList } from '../lists/list.service.js';
import { Segment } from '../segments/segment.model.js';
import type { Actor } from '../users/user.service.js';
import { Campaign, type CampaignRecord, type CampaignStatus } from './campaign.model.js';
import { footerReason, renderCampaign } from './campaign.render.js';
import type { CampaignFilter, CampaignInput, CampaignPreviewInput } from './campaign.schemas.js';
import { ARCHIVE_STAMP, bumpStamp } from '../lib/stamped-cache.js';

type Ctx = Pick<AppContext, 'config' | 'logger'>;

/** The Agenda job that sends a scheduled campaign (jobs/campaign-send.job.ts). */
export const CAMPAIGN_SEND_JOB = 'campaign:send';
/** The Agenda job that freezes an approved campaign's audience (jobs/campaign-prepare.job.ts). */
export const CAMPAIGN_PREPARE_JOB = 'campaign:prepare';
const LEGITIMATE_INTEREST_LIST = 'informations-reseau';

export const campaignArchiveUrl = (config: Config, slug: string) => `${config.publicUrl}/lettres/envois/${slug}`;

/**
 * The list and basis of a campaign, checked together: a consent basis needs a consent (or
 * members') list; legitimate interest uses "Informations du réseau" unless another such
 * list is named. Errors name the field.
 */
async function audienceChoice(input: { list?: string | null; basis?: AudienceBasis }, current?: { list: Types.ObjectId; basis: string }) {
  const basis = input.basis ?? (input.list ? undefined : (current?.basis as AudienceBasis | undefined));
  const listRef = input.list ?? (basis === 'legitimate-interest' && !current ? LEGITIMATE_INTEREST_LIST : current && !input.basis ? String(current.list) : undefined);
  if (!listRef) {
    if (basis === 'legitimate-interest') return { list: (await resolveList(LEGITIMATE_INTEREST_LIST))._id, basis };
    throw badRequest('Choisissez la liste des destinataires (une liste avec consentement), ou la base « Informations du réseau ».', 'list');
  }
  const list = await resolveList(listRef);
  const listBasis = basisOf(list);
  if (basis && basis !== listBasis) {
    throw badRequest(
      listBasis === 'legitimate-interest'
        ? `La liste « ${list.name} » relève de l'intérêt légitime : choisissez la base « Informations du réseau ».`
        : `La liste « ${list.name} » repose sur le consentement de ses abonné·es : choisissez la base « consentement ».`,
      'basis',
    );
  }
  return { list: list._id, basis: listBasis };
}

async function checkSegment(segment: string | null | undefined) {
  if (segment && !(await Segment.exists({ _id: segment }))) throw badRequest('Segment inconnu.', 'segment');
}

export async function createCampaign(ctx: Pick<AppContext, 'config'>, input: CampaignInput & { subject: string }, actor?: Actor) {
  const { list, basis } = await audienceChoice(input);
  await checkSegment(input.segment);
  const campaign = new Campaign({
    subject: input.subject,
    preheader: input.preheader ?? '',
    fromName: input.fromName ?? '',
    body: input.body ?? '',
    list,
    basis,
    segment: input.segment ?? null,
    publish: input.publish ?? false,
    createdBy: actor?.id,
  });
  await renderCampaign(ctx.config, campaign, { kind: 'web' }); // a bad personal field is a 400 now, not at approval
  return campaign.save();
}

export async function updateCampaign(ctx: Pick<AppContext, 'config'>, id: string, input: CampaignInput) {
  const campaign = await getCampaignRecord(id);
  if (campaign.status !== 'draft') throw conflict("Seul un envoi en brouillon peut être modifié : repassez-le d'abord en brouillon.", 'status');
  const audience = input.list !== undefined || input.basis !== undefined ? await audienceChoice(input, campaign) : {};
  await checkSegment(input.segment);
  const fields = Object.fromEntries(
    (['subject', 'preheader', 'fromName', 'body', 'segment', 'publish'] as const).filter((f) => input[f] !== undefined).map((f) => [f, input[f]]),
  );
  await renderCampaign(ctx.config, { ...campaign, ...fields }, { kind: 'web' });
  const updated = await Campaign.findOneAndUpdate({ _id: id, status: 'draft' }, { $set: { ...fields, ...audience } }, { returnDocument: 'after' });
  if (!updated) throw conflict("L'envoi vient d'être approuvé par quelqu'un d'autre.", 'status');
  return updated;
}

/** A new draft from a past campaign: same text and audience, nothing of its sending. */
export async function duplicateCampaign(id: string, actor?: Actor) {
  const source = await getCampaignRecord(id);
  return Campaign.create({
    subject: source.subject,
    preheader: source.preheader,
    fromName: source.fromName,
    body: source.body,
    list: source.list,
    segment: source.segment,
    basis: source.basis,
    publish: source.publish,
    duplicatedFrom: source._id,
    createdBy: actor?.id,
  });
}

export async function deleteCampaign(id: string) {
  const deleted = await Campaign.findOneAndDelete({ _id: id, status: 'draft' });
  if (!deleted) {
    await getCampaignRecord(id);
    throw conflict('Seul un envoi en brouillon peut être supprimé.', 'status');
  }
  return deleted;
}

async function emailContent(config: Config, campaign: CampaignRecord) {
  const list = (await List.findById(campaign.list, { name: 1 }).lean())!;
  return renderCampaign(config, campaign, { kind: 'email', reason: footerReason(config, campaign.basis, list.name), browserLink: campaign.publish });
}

/** What a preview shows: the e-mail with sample personal values. */
export async function previewCampaign(config: Config, id: string) {
  const campaign = await getCampaignRecord(id);
  return withSampleValues(config, await emailContent(config, campaign), campaign.slug ? campaignArchiveUrl(config, campaign.slug) : undefined);
}

/** The editor's live preview: the text being written, through the same rendering, not saved. */
export async function previewDraft(config: Config, input: CampaignPreviewInput) {
  const list = input.list ? await resolveList(input.list).catch(() => undefined) : undefined;
  const basis = input.basis ?? (list ? basisOf(list) : 'consent');
  const reason = footerReason(config, basis, list?.name ?? 'la liste choisie');
  const content = await renderCampaign(config, { subject: input.subject?.trim() || '(sans objet)', preheader: input.preheader, body: input.body }, { kind: 'email', reason, browserLink: false });
  return withSampleValues(config, content);
}

const withSampleValues = (config: Config, content: MailContent, browserUrl?: string) =>
  personalize(content, {
    firstName: 'Camille',
    lastName: 'Exemple',
    organisation: 'Ville de Saint-Denis',
    email: 'camille.exemple@example.org',
    unsubscribeUrl: `${config.publicUrl}/desabonnement/apercu`,
    preferencesUrl: `${config.publicUrl}/preferences/apercu`,
    browserUrl: browserUrl ?? `${config.publicUrl}/lettres`,
  });

/** Sends the campaign as it stands to a few addresses, `[Essai]` in the subject; a known address gets its own names. */
export async function sendTestCampaign(ctx: Ctx, id: string, emails: string[], actor?: Actor) {
  const campaign = await getCampaignRecord(id);
  const content = await emailContent(ctx.config, campaign);
  for (const email of emails) {
    const contact = await findContactByEmail(email);
    const personal = personalize(content, {
      firstName: contact?.firstName,
      lastName: contact?.lastName,
      email,
      unsubscribeUrl: `${ctx.config.publicUrl}/desabonnement/essai`,
      preferencesUrl: `${ctx.config.publicUrl}/preferences/essai`,
      browserUrl: `${ctx.config.publicUrl}/lettres`,
    });
    await sendTransactional(ctx, { to: email, ...personal, subject: `[Essai] ${personal.subject}` });
  }
  await Campaign.updateOne({ _id: id }, { $push: { testSends: { at: new Date(), emails, by: actor?.name ?? null } } });
  return { sent: emails.length };
}

/**
 * Draft → preparing: staff approve, the request answers at once, and the job campaign:prepare
 * freezes the audience (prepareCampaign); the admin shows « préparation de l'envoi » meanwhile.
 */
export async function approveCampaign(ctx: Pick<AppContext, 'scheduler'>, id: string, actor?: Actor) {
  const campaign = await getCampaignRecord(id);
  if (campaign.status !== 'draft') throw conflict(statusMessage(campaign.status), 'status');
  if (!campaign.body?.trim()) throw badRequest("Le message est vide : écrivez-le avant de l'approuver.", 'body');
  const approved = await Campaign.findOneAndUpdate(
    { _id: id, status: 'draft', mailing: null },
    { $set: { status: 'preparing', approvedAt: new Date(), approvedBy: actor?.name ?? null, preparationError: null } },
    { returnDocument: 'after' },
  );
  if (!approved) throw conflict(statusMessage((await getCampaignRecord(id)).status), 'status');
  try {
    await ctx.scheduler.agenda.now(CAMPAIGN_PREPARE_JOB, { campaignId: id });
  } catch (error) {
    await Campaign.updateOne({ _id: id, status: 'preparing', mailing: null }, { $set: { status: 'draft', approvedAt: null, approvedBy: null } });
    throw error;
  }
  return approved;
}

/** A preparation claim older than this belongs to a crashed process on another host (one of this host is seen dead at once). */
const PREPARE_CLAIM_STALE_MS = 10 * 60_000;
const prepareClaim = (id: string) => `campaign-prepare:${id}`;

/**
 * Preparing → approved (the job campaign:prepare): the message is compiled with its links
 * tracked, and the audience is frozen into the mailing's deliveries; their count is the count
 * the send confirmation names and the count sent (at send time the sender still skips whoever
 * left since). Claimed once; after a crash the next run reuses the mailing already made and
 * adds the missing deliveries. A failure sends the campaign back to draft with its reason.
 */
export async function prepareCampaign(ctx: Pick<AppContext, 'config' | 'logger'>, id: string): Promise<'approved' | 'busy' | 'skipped' | 'failed'> {
  if (!(await claimOnce(prepareClaim(id), PREPARE_CLAIM_STALE_MS, { heldByProcess: true }))) return 'busy';
  try {
    const campaign = Types.ObjectId.isValid(id) ? ((await Campaign.findById(id).lean()) as CampaignRecord | null) : null;
    if (campaign?.status !== 'preparing') return 'skipped';
    try {
      return (await freezeAudience(ctx.config, campaign)) ? 'approved' : 'skipped';
    } catch (error) {
      ctx.logger.error({ err: error, campaign: id }, 'campaign preparation failed');
      await abandonPreparation(campaign, error);
      return 'failed';
    }
  } finally {
    await releaseClaim(prepareClaim(id));
  }
}

/** The same approval (draft → preparing at `approvedAt`): a reopened and re-approved campaign is another. */
const sameApproval = (campaign: CampaignRecord) => ({ _id: campaign._id, status: 'preparing' as const, approvedAt: campaign.approvedAt ?? null });

async function freezeAudience(config: Config, campaign: CampaignRecord): Promise<boolean> {
  const id = String(campaign._id);
  const slug = campaign.publish ? `${slugify(campaign.subject)}-${id.slice(-6)}` : null;
  let mailingId = campaign.mailing;
  if (!mailingId) {
    const source = { kind: 'campaign' as const, id };
    const content = await trackContentLinks(config, await emailContent(config, campaign), source);
    const mailing = await createMailing({
      source,
      list: String(campaign.list),
      ...(campaign.segment ? { segment: String(campaign.segment) } : {}),
      content,
      ...(slug ? { browserUrl: campaignArchiveUrl(config, slug) } : {}),
    });
    if (campaign.fromName) await Mailing.updateOne({ _id: mailing._id }, { $set: { fromName: campaign.fromName } });
    // kept on the campaign at once: a preparation resumed after a crash goes on with this mailing
    const kept = await Campaign.updateOne({ ...sameApproval(campaign), mailing: null }, { $set: { mailing: mailing._id } });
    if (!kept.modifiedCount) return void (await dropMailing(mailing._id)), false;
    mailingId = mailing._id;
  }
  const audience = await resolveAudience((await Mailing.findById(mailingId).lean())!);
  const webHtml = campaign.publish ? (await renderCampaign(config, campaign, { kind: 'web' })).html : null;
  const approved = await Campaign.updateOne(sameApproval(campaign), {
    $set: { status: 'approved', slug, webHtml, audience: { count: audience.count, excluded: audience.excluded, sample: audience.sample, frozenAt: new Date() } },
  });
  if (approved.modifiedCount) return true;
  // reopened or cancelled during the preparation: what was frozen goes
  if (!(await Campaign.exists({ mailing: mailingId }))) await dropMailing(mailingId);
  return false;
}

async function abandonPreparation(campaign: CampaignRecord, error: unknown) {
  const reason = error instanceof AppError ? error.message : 'erreur inattendue (voir le journal du serveur).';
  const preparationError = `La préparation de l'envoi a échoué : ${reason} Vous pouvez l'approuver à nouveau.`;
  const back = await Campaign.updateOne(sameApproval(campaign), { $set: { status: 'draft', mailing: null, approvedAt: null, approvedBy: null, preparationError } });
  if (!back.modifiedCount) return; // reopened meanwhile: reopening dropped what was frozen
  await dropDraftMailings(String(campaign._id));
}

/** A campaign back in draft owns no mailing: whatever a preparation froze for it goes. */
async function dropDraftMailings(campaignId: string) {
  for (const mailing of await Mailing.find({ 'source.kind': 'campaign', 'source.id': campaignId, status: 'draft', resendOf: null }, { _id: 1 }).lean()) await dropMailing(mailing._id);
}

/**
 * Campaigns still preparing: their job is enqueued again (the watchdog, at a job process's
 * start and every minute), so a preparation cut by a crash goes on. A preparation running in a
 * live process keeps its claim and the extra run returns at once; a finished one is skipped.
 */
export async function resumeStalledPreparations(ctx: Pick<AppContext, 'scheduler'>): Promise<string[]> {
  const stalled = await Campaign.find({ status: 'preparing' }, { _id: 1 }).lean();
  for (const campaign of stalled) await ctx.scheduler.agenda.now(CAMPAIGN_PREPARE_JOB, { campaignId: String(campaign._id) });
  return stalled.map((c) => String(c._id));
}

/** Approved or preparing (not sending) → draft: the frozen audience is dropped, staff edit again. */
export async function reopenCampaign(id: string) {
  const campaign = await getCampaignRecord(id);
  if (!['approved', 'preparing'].includes(campaign.status)) throw conflict(statusMessage(campaign.status), 'status');
  const reopened = await Campaign.findOneAndUpdate(
    { _id: id, status: campaign.status },
    { $set: { status: 'draft', mailing: null, audience: null, approvedAt: null, approvedBy: null, scheduledAt: null, webHtml: null } },
    { returnDocument: 'after' },
  );
  if (!reopened) throw conflict(statusMessage((await getCampaignRecord(id)).status), 'status');
  // not only `campaign.mailing`: a preparation may have made its mailing since that read
  await dropDraftMailings(id);
  return reopened;
}

/** Approved → sending now, or at `at` (an instant, or a Paris wall-clock time). */
export async function sendCampaign(ctx: AppContext, id: string, options: { at?: Date | string }) {
  const campaign = await getCampaignRecord(id);
  if (campaign.status !== 'approved') throw conflict(statusMessage(campaign.status), 'status');
  const at = typeof options.at === 'string' ? parisInstant(options.at) : options.at;
  if (at && at.getTime() > Date.now()) {
    const scheduled = await Campaign.findOneAndUpdate({ _id: id, status: 'approved' }, { $set: { scheduledAt: at } }, { returnDocument: 'after' });
    await ctx.scheduler.agenda.schedule(at, CAMPAIGN_SEND_JOB, { campaignId: id });
    return scheduled;
  }
  return startCampaignSending(ctx, id);
}

/** The one transition to `sending` (a click, or the scheduled job): the frozen mailing starts. */
export async function startCampaignSending(ctx: Pick<AppContext, 'scheduler'>, id: string) {
  const claimed = await Campaign.findOneAndUpdate({ _id: id, status: 'approved', sendingAt: null }, { $set: { status: 'sending', sendingAt: new Date() } }, { returnDocument: 'after' });
  if (claimed?.publish) await bumpStamp(ARCHIVE_STAMP); // in the public archive from now on
  if (!claimed) {
    const campaign = await getCampaignRecord(id);
    if (campaign.status === 'approved') throw conflict("L'envoi est déjà en train de partir.", 'status');
    return Campaign.findById(id);
  }
  try {
    await startMailing(ctx, String(claimed.mailing));
  } catch (error) {
    // the mailing already left (a second process won the race): the campaign is sending anyway
    const mailing = await Mailing.findById(claimed.mailing, { status: 1 }).lean();
    if (mailing?.status === 'draft') {
      await Campaign.updateOne({ _id: id }, { $set: { status: 'approved', sendingAt: null } });
      if (claimed.publish) await bumpStamp(ARCHIVE_STAMP);
      throw error;
    }
  }
  return Campaign.findById(id);
}

export async function pauseCampaign(id: string) {
  await pauseMailing(String((await sendingCampaign(id)).mailing));
  return getCampaign(id);
}

export async function resumeCampaign(ctx: Pick<AppContext, 'scheduler'>, id: string) {
  await resumeMailing(ctx, String((await sendingCampaign(id)).mailing));
  return getCampaign(id);
}

/** Stops a send for good (what left stays counted), or calls off a scheduled one or one being prepared. */
export async function cancelCampaign(id: string) {
  const campaign = await getCampaignRecord(id);
  if (campaign.status === 'approved' || campaign.status === 'preparing') {
    await Campaign.updateOne({ _id: id, status: campaign.status }, { $set: { status: 'cancelled', scheduledAt: null } });
    if (campaign.mailing) await cancelMailing(String(campaign.mailing));
    return getCampaign(id);
  }
  await cancelMailing(String((await sendingCampaign(id)).mailing));
  return getCampaign(id);
}

export async function resendCampaignUncertain(ctx: Pick<AppContext, 'scheduler'>, id: string, actor?: Actor) {
  const campaign = await getCampaignRecord(id);
  if (!campaign.mailing) throw badRequest("Cet envoi n'est pas encore parti.", 'status');
  return resendUncertain(ctx, String(campaign.mailing), actor);
}

async function sendingCampaign(id: string) {
  const campaign = await getCampaignRecord(id);
  if (!campaign.mailing || !['sending', 'paused'].includes(campaign.status)) throw conflict(statusMessage(campaign.status), 'status');
  return campaign;
}

function statusMessage(status: CampaignStatus): string {
  return {
    draft: "L'envoi est encore en brouillon : approuvez-le d'abord.",
    preparing: "L'envoi est approuvé, ses destinataires sont en cours de préparation.",
    approved: "L'envoi est déjà approuvé.",
    sending: "L'envoi est en cours.",
    paused: "L'envoi est suspendu : reprenez-le ou annulez-le.",
    sent: "L'envoi est terminé.",
    cancelled: "L'envoi a été annulé.",
  }[status];
}

/** A campaign with what its page shows: the audience (live while a draft), progress, figures, clicks. */
export async function getCampaign(id: string) {
  let campaign = await getCampaignRecord(id);
  const [list, segment] = await Promise.all([
    List.findById(campaign.list, { name: 1, code: 1 }).lean(),
    campaign.segment ? Segment.findById(campaign.segment, { name: 1 }).lean() : null,
  ]);
  const names = { listName: list?.name ?? '', segmentName: segment?.name ?? null };
  if (campaign.status === 'draft') return { ...campaign, ...names, audience: { ...(await audienceSummary(campaign)), frozenAt: null } };
  if (!campaign.mailing || campaign.status === 'approved' || campaign.status === 'preparing') return { ...campaign, ...names };
  const progress = await mailingProgress(String(campaign.mailing));
  const status = (['sending', 'paused', 'sent', 'cancelled'] as const).find((s) => s === progress.status);
  if (status && status !== campaign.status) {
    campaign = (await Campaign.findOneAndUpdate({ _id: id }, { $set: { status, ...(status === 'sent' ? { sentAt: new Date() } : {}) } }, { returnDocument: 'after' }).lean()) as CampaignRecord;
    if (campaign.publish && status === 'cancelled') await bumpStamp(ARCHIVE_STAMP); // leaves the archive
  }
  const mailings = (await Mailing.find({ 'source.kind': 'campaign', 'source.id': id }, { _id: 1 }).lean()).map((m) => m._id);
  const [figures, clicks, uncertain] = await Promise.all([mailingFigures(mailings), clicksOf({ kind: 'campaign', id }), uncertainDeliveries(String(campaign.mailing))]);
  return { ...campaign, ...names, progress, figures, clicks, uncertain };
}

export async function getCampaignRecord(id: string): Promise<CampaignRecord> {
  const campaign = Types.ObjectId.isValid(id) ? await Campaign.findById(id).lean() : null;
  if (!campaign) throw notFound('Envoi ciblé');
  return campaign as CampaignRecord;
}

export async function listCampaigns(query: ListQuery<CampaignFilter>) {
  const where: Record<string, unknown> = {};
  if (query.filter.status) where.status = { $in: query.filter.status };
  if (query.filter.segment) where.segment = new Types.ObjectId(query.filter.segment);
  if (query.filter.q) where.subject = new RegExp(escapeRegExp(query.filter.q), 'i');
  if (query.filter.id) where._id = { $in: query.filter.id };
  const [items, total] = await Promise.all([
    Campaign.find(where, { body: 0, webHtml: 0 }).sort({ [query.sort.field]: query.sort.order, _id: -1 }).skip(query.skip).limit(query.limit).lean(),
    Campaign.countDocuments(where),
  ]);
  return { items, total };
}

/** Every campaign whose mailing is running gets its status from it (the follow-up job). */
export async function refreshSendingCampaigns(): Promise<number> {
  const sending = await Campaign.find({ status: { $in: ['sending', 'paused'] } }, { _id: 1 }).lean();
  for (const campaign of sending) await getCampaign(String(campaign._id));
  return sending.length;
}

const slugify = (text: string) => normalizeText(text).replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60) || 'envoi';

/** The activity report's figures: campaigns that left in a Paris year, and the recipients they were sent to. */
export async function campaignYearFigures(year: number) {
  const { start, end } = parisYearRange(year);
  const sent = await Campaign.find({ status: { $in: ['sending', 'paused', 'sent', 'cancelled'] }, sendingAt: { $gte: start, $lt: end } }, { audience: 1 }).lean();
  return { sent: sent.length, recipients: sent.reduce((sum, c) => sum + (c.audience?.count ?? 0), 0) };
}

/** The last campaigns that left, with their figures and their total clicks: the dashboard's card. */
export async function recentCampaignFigures(limit = 5) {
  const recent = await Campaign.find({ status: { $in: ['sending', 'paused', 'sent', 'cancelled'] } }, { subject: 1, status: 1, sendingAt: 1 }).sort({ sendingAt: -1 }).limit(limit).lean();
  return Promise.all(
    recent.map(async (c) => {
      const id = String(c._id);
      const mailings = (await Mailing.find({ 'source.kind': 'campaign', 'source.id': id }, { _id: 1 }).lean()).map((m) => m._id);
      const [figures, clicks] = await Promise.all([mailingFigures(mailings), clicksOf({ kind: 'campaign', id })]);
      return { id, subject: c.subject, status: c.status, sendingAt: c.sendingAt, figures, clicks: clicks.reduce((sum, l) => sum + l.clicks, 0) };
    }),
  );
}
