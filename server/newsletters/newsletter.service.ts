import { Types } from 'mongoose';
import type { AppContext } from '../context.js';
import { clicksOf, trackContentLinks } from '../clicks/click.service.js';
import { audienceSummary } from '../delivery/audience.js';
import { Mailing } from '../delivery/mailing.model.js';
import { createMailing, mailingFigures, mailingProgress, startMailing } from '../delivery/mailing.service.js';
import { personalize, type MailContent } from '../delivery/personalize.js';
import { sendTransactional } from '../delivery/transactional.js';
import type { Config } from '../lib/config.js';
import { claimOnce, isDuplicateKey, releaseClaim } from '../lib/db.js';
import { AppError, badRequest, conflict, notFound } from '../lib/errors.js';
import type { ListQuery } from '../lib/rest.js';
import { resolveList } from '../lists/list.service.js';
import { News } from '../news/news.model.js';
import { Segment } from '../segments/segment.model.js';
import { newsCategories } from '../news/news.service.js';
import { renderEmail } from '../templates/render.js';
import { User } from '../users/user.model.js';
import type { Actor } from '../users/user.service.js';
import { Newsletter, type NewsletterRecord, type NewsletterStatus } from './newsletter.model.js';
import type { NewsletterFilter, NewsletterUpdateInput } from './newsletter.schemas.js';
import { monthBounds, monthLabel, monthSlug, previousMonth } from './month.js';
import { ARCHIVE_STAMP, bumpStamp } from '../lib/stamped-cache.js';
import { notifyStaff } from '../delivery/staff-notice.js';

type Ctx = Pick<AppContext, 'config' | 'logger'>;

/** The Agenda job that sends a scheduled issue (defined in jobs/newsletter-send.job.ts). */
export const NEWSLETTER_SEND_JOB = 'newsletter:send';
export type CompileOutcome = 'created' | 'refreshed' | 'unchanged';

export const emptyMonth = (month: string) =>
  new AppError(422, 'empty_month', `Aucune actualité publiée en ${monthLabel(month)} : aucune lettre n'a été créée.`, 'month');

export const newsletterTitle = (month: string) => `Lettre d'information — ${monthLabel(month)}`;
export const archiveUrl = (config: Config, slug: string) => `${config.publicUrl}/lettres/${slug}`;

/**
 * Creates the draft issue of a month from every item published in it (Paris time), or
 * refreshes the existing draft: its editorial, exclusions and order are kept, items
 * removed from the base leave it, new ones are appended. An approved or sent issue is
 * never modified. A month without news creates nothing.
 */
export async function compileNewsletter(ctx: Pick<AppContext, 'config'>, month: string): Promise<{ issue: NewsletterRecord; outcome: CompileOutcome }> {
  const existing = await Newsletter.findOne({ month }).lean();
  if (existing && existing.status !== 'draft') return { issue: existing as NewsletterRecord, outcome: 'unchanged' };
  const { start, end } = monthBounds(month);
  const monthIds = (await News.find({ publishedAt: { $gte: start, $lt: end } }, { _id: 1 }).sort({ publishedAt: 1, _id: 1 }).lean()).map((n) => n._id);
  if (!monthIds.length && !existing) throw emptyMonth(month);
  const { items, excluded } = mergeItems(monthIds, existing?.items ?? [], existing?.excluded ?? []);
  const fields = { items, excluded, ...(await compileContent(ctx.config, { month, editorial: existing?.editorial ?? '', items, subject: existing?.subject })) };
  if (existing) {
    const refreshed = await Newsletter.findOneAndUpdate({ _id: existing._id, status: 'draft' }, { $set: fields }, { returnDocument: 'after' }).lean();
    if (!refreshed) return { issue: (await Newsletter.findById(existing._id).lean()) as NewsletterRecord, outcome: 'unchanged' };
    return { issue: refreshed as NewsletterRecord, outcome: 'refreshed' };
  }
  try {
    const created = await Newsletter.create({ month, slug: monthSlug(month), title: newsletterTitle(month), status: 'draft', editorial: '', ...fields });
    return { issue: created.toObject() as NewsletterRecord, outcome: 'created' };
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    return compileNewsletter(ctx, month); // another run created it first: refresh that one
  }
}

/** Keeps staff's order and exclusions; the month's new items come last, oldest first. */
function mergeItems(monthIds: Types.ObjectId[], current: Types.ObjectId[], excluded: Types.ObjectId[]) {
  const inMonth = new Set(monthIds.map(String));
  const out = new Set(excluded.map(String));
  const kept = current.filter((id) => inMonth.has(String(id)) && !out.has(String(id)));
  const present = new Set(kept.map(String));
  const added = monthIds.filter((id) => !present.has(String(id)) && !out.has(String(id)));
  return { items: [...kept, ...added], excluded: excluded.filter((id) => inMonth.has(String(id))) };
}

type Variant = 'email' | 'web';

/** Renders and compiles (MJML, once) an issue; the e-mail keeps the per-recipient placeholders. */
export async function compileContent(config: Config, issue: { month: string; editorial: string; items: Types.ObjectId[]; subject?: string | null }, variant: Variant = 'email') {
  const [categories, news] = await Promise.all([
    newsCategories(),
    News.find({ _id: { $in: issue.items } }, { title: 1, url: 1, summary: 1, publishedAt: 1, category: 1 }).lean(),
  ]);
  const position = new Map(issue.items.map((id, i) => [String(id), i]));
  news.sort((a, b) => position.get(String(a._id))! - position.get(String(b._id))!);
  const known = new Set(categories.map((c) => String(c._id)));
  const groups = [...categories.map((c) => ({ id: c._id, code: c.code, label: c.label })), { id: null, code: 'autres', label: 'Autres actualités' }]
    .map((c) => ({ ...c, items: news.filter((n) => (c.id ? String(n.category) === String(c.id) : !known.has(String(n.category)))) }))
    .filter((c) => c.items.length);
  const title = newsletterTitle(issue.month);
  const content = await renderEmail(
    'newsletter',
    {
      title,
      subject: issue.subject?.trim() || null,
      headline: title,
      preheader: `${news.length} actualité${news.length > 1 ? 's' : ''} du réseau et de la santé dans les territoires`,
      editorial: paragraphs(issue.editorial),
      itemCount: news.length,
      sections: groups.map((g) => ({
        anchor: g.code,
        label: g.label,
        items: g.items.map((n) => ({ title: inert(n.title), url: n.url?.replace(/%%/g, '%25%25'), summary: inert(n.summary ?? ''), publishedAt: n.publishedAt })),
      })),
      footer:
        variant === 'email'
          ? { reason: `Vous recevez cette lettre à l'adresse %%EMAIL%% car vous êtes abonné·e à la lettre d'information de ${config.organisation.name}.`, personalLinks: true, browserLink: true }
          : { reason: `Lettre d'information de ${config.organisation.name}.`, archiveLink: true },
    },
    config,
  );
  return {
    content,
    sections: groups.map((g) => ({ category: g.id, label: g.label, count: g.items.length })),
    compiledAt: new Date(),
  };
}

const paragraphs = (text: string) => inert(text).split(/\n\s*\n/).map((p) => p.trim()).filter(Boolean);

/**
 * Text staff or a feed typed must never turn into a per-recipient placeholder (a link to
 * `https://elsewhere/?%%EMAIL%%` would hand every address to that site): "%%" gets a
 * zero-width space in text and is percent-encoded in links.
 */
const inert = (text: string) => text.replace(/%%/g, '%\u200b%');

/** Staff edit a draft: editorial, order of items, exclusions, audience. The issue is recompiled. */
export async function updateNewsletter(ctx: Pick<AppContext, 'config'>, id: string, input: NewsletterUpdateInput) {
  const issue = await Newsletter.findById(id).lean();
  if (!issue) throw notFound('Lettre');
  if (issue.status !== 'draft') throw conflict("Seule une lettre en brouillon peut être modifiée : repassez-la d'abord en brouillon.", 'status');
  const { start, end } = monthBounds(issue.month);
  const monthIds = (await News.find({ publishedAt: { $gte: start, $lt: end } }, { _id: 1 }).sort({ publishedAt: 1 }).lean()).map((n) => n._id);
  const inMonth = new Set(monthIds.map(String));
  let { items, excluded } = issue;
  if (input.items) {
    const stranger = input.items.find((item) => !inMonth.has(item));
    if (stranger) throw badRequest(`L'actualité ${stranger} n'est pas du mois de cette lettre.`, 'items');
    items = [...new Set(input.items)].map((item) => new Types.ObjectId(item));
    const listed = new Set(input.items);
    excluded = monthIds.filter((m) => !listed.has(String(m)));
  } else if (input.excluded) {
    const stranger = input.excluded.find((item) => !inMonth.has(item));
    if (stranger) throw badRequest(`L'actualité ${stranger} n'est pas du mois de cette lettre.`, 'excluded');
    excluded = input.excluded.map((item) => new Types.ObjectId(item));
    ({ items, excluded } = mergeItems(monthIds, items, excluded));
  }
  if (input.list) await resolveList(input.list);
  if (input.segment && !(await Segment.exists({ _id: input.segment }))) throw badRequest('Segment inconnu.', 'segment');
  const editorial = input.editorial ?? issue.editorial;
  const subject = input.subject !== undefined ? input.subject?.trim() || null : issue.subject;
  const compiled = await compileContent(ctx.config, { month: issue.month, editorial, items, subject });
  const updated = await Newsletter.findOneAndUpdate(
    { _id: id, status: 'draft' },
    {
      $set: {
        editorial,
        subject,
        items,
        excluded,
        ...compiled,
        ...(input.list ? { list: input.list } : {}),
        ...(input.segment !== undefined ? { segment: input.segment } : {}),
      },
    },
    { returnDocument: 'after' },
  );
  if (!updated) throw conflict("La lettre vient d'être approuvée par quelqu'un d'autre.", 'status');
  return updated;
}

/** Draft → approved; the archive's version (no personal link) is compiled now. */
export async function approveNewsletter(ctx: Pick<AppContext, 'config'>, id: string, actor?: Actor) {
  const issue = await getNewsletterRecord(id);
  if (issue.status !== 'draft') throw conflict(statusMessage(issue.status), 'status');
  if (!issue.items.length) throw badRequest('La lettre ne contient aucune actualité.', 'items');
  const web = await compileContent(ctx.config, issue, 'web');
  const approved = await Newsletter.findOneAndUpdate(
    { _id: id, status: 'draft' },
    { $set: { status: 'approved', approvedAt: new Date(), approvedBy: actor?.name ?? null, webHtml: web.content.html } },
    { returnDocument: 'after' },
  );
  if (!approved) throw conflict(statusMessage((await getNewsletterRecord(id)).status), 'status');
  return approved;
}

/** Approved (not yet sending) → draft, so staff can edit again. */
export async function reopenNewsletter(id: string) {
  const reopened = await Newsletter.findOneAndUpdate(
    { _id: id, status: 'approved' },
    { $set: { status: 'draft', approvedAt: null, approvedBy: null, scheduledAt: null, webHtml: null } },
    { returnDocument: 'after' },
  );
  if (!reopened) throw conflict(statusMessage((await getNewsletterRecord(id)).status), 'status');
  return reopened;
}

function statusMessage(status: NewsletterStatus): string {
  return {
    draft: "La lettre est encore en brouillon : approuvez-la d'abord.",
    approved: 'La lettre est déjà approuvée.',
    sending: "La lettre est en cours d'envoi.",
    sent: 'La lettre a déjà été envoyée.',
  }[status];
}

/** What a preview shows: the compiled issue with sample values in place of the personal ones. */
export function previewContent(config: Config, issue: Pick<NewsletterRecord, 'content' | 'slug'>): MailContent {
  return personalize(issue.content as MailContent, {
    firstName: 'Camille',
    lastName: 'Exemple',
    email: 'camille.exemple@example.org',
    unsubscribeUrl: `${config.publicUrl}/desabonnement/apercu`,
    preferencesUrl: `${config.publicUrl}/preferences/apercu`,
    browserUrl: archiveUrl(config, issue.slug),
  });
}

/** Sends the issue, as it stands, to a few addresses; the subject says it is a test. */
export async function sendTestNewsletter(ctx: Ctx, id: string, emails: string[], actor?: Actor) {
  const issue = await getNewsletterRecord(id);
  for (const email of emails) {
    const content = personalize(issue.content as MailContent, {
      email,
      unsubscribeUrl: `${ctx.config.publicUrl}/desabonnement/essai`,
      preferencesUrl: `${ctx.config.publicUrl}/preferences/essai`,
      browserUrl: archiveUrl(ctx.config, issue.slug),
    });
    await sendTransactional(ctx, { to: email, ...content, subject: `[Essai] ${content.subject}` });
  }
  await Newsletter.updateOne({ _id: id }, { $push: { testSends: { at: new Date(), emails, by: actor?.name ?? null } } });
  return { sent: emails.length };
}

/** Approved → sending now, or at `at` (the job `newsletter:send` picks it up then). */
export async function sendNewsletter(ctx: AppContext, id: string, options: { at?: Date }, actor?: Actor) {
  const issue = await getNewsletterRecord(id);
  if (issue.status !== 'approved') throw conflict(statusMessage(issue.status), 'status');
  if (options.at && options.at.getTime() > Date.now()) {
    const scheduled = await Newsletter.findOneAndUpdate({ _id: id, status: 'approved' }, { $set: { scheduledAt: options.at } }, { returnDocument: 'after' });
    await ctx.scheduler.agenda.schedule(options.at, NEWSLETTER_SEND_JOB, { newsletterId: id });
    return scheduled;
  }
  return startNewsletterSending(ctx, id, actor);
}

/** A send claim older than this is a crashed sender's: the watchdog takes the issue over. */
export const SEND_CLAIM_STALE_MS = 10 * 60_000;
const sendClaim = (id: string) => `newsletter-send:${id}`;

/**
 * The one transition to `sending`, claimed once (server/lib/db.ts) so two clicks, or a job and
 * a click, create one mailing. The compiled content goes to the sender, which personalises it.
 */
export async function startNewsletterSending(ctx: AppContext, id: string, actor?: Actor) {
  if (!(await claimOnce(sendClaim(id), SEND_CLAIM_STALE_MS))) return Newsletter.findById(id); // another click or the job is sending it
  const claimed = await Newsletter.findOneAndUpdate({ _id: id, status: 'approved' }, { $set: { status: 'sending', sendingAt: new Date() } }, { returnDocument: 'after' });
  if (claimed) await bumpStamp(ARCHIVE_STAMP); // the issue is in the public archive from now on
  if (!claimed) {
    await releaseClaim(sendClaim(id));
    const issue = await getNewsletterRecord(id);
    if (issue.status === 'sending' || issue.status === 'sent') return Newsletter.findById(id);
    throw conflict(statusMessage(issue.status), 'status');
  }
  return mailIssue(ctx, claimed.toObject() as NewsletterRecord, actor);
}

/** Creates (or finds, after a crash) the issue's mailing and starts it; the issue must be `sending` and claimed. */
async function mailIssue(ctx: AppContext, issue: NewsletterRecord, actor?: Actor) {
  const id = String(issue._id);
  let mailingId: string;
  try {
    const drafted = await Mailing.findOne({ 'source.kind': 'newsletter', 'source.id': id, status: 'draft' }, { _id: 1 }).lean();
    mailingId = String(drafted?._id ?? (await createIssueMailing(ctx, issue, actor))._id);
  } catch (error) {
    await Newsletter.updateOne({ _id: id, status: 'sending', mailing: null }, { $set: { status: 'approved', sendingAt: null } });
    await bumpStamp(ARCHIVE_STAMP);
    await releaseClaim(sendClaim(id));
    throw error;
  }
  await Newsletter.updateOne({ _id: id }, { $set: { mailing: new Types.ObjectId(mailingId) } });
  await startMailing(ctx, mailingId);
  return Newsletter.findById(id);
}

/** Links to the issue's news items go through `/l/<code>`, each tied to its item and category (what readers read). */
async function trackNewsLinks(config: Config, id: string, items: Types.ObjectId[], content: MailContent): Promise<MailContent> {
  const news = await News.find({ _id: { $in: items } }, { url: 1, category: 1 }).lean();
  const byUrl = new Map(news.filter((n) => n.url).map((n) => [n.url!, { newsItem: n._id, category: n.category }]));
  return trackContentLinks(config, content, { kind: 'newsletter', id }, (url) => byUrl.get(url) ?? {});
}

async function createIssueMailing(ctx: AppContext, issue: NewsletterRecord, actor?: Actor) {
  const list = await resolveList(issue.list ?? 'lettre-mensuelle');
  return createMailing(
    {
      source: { kind: 'newsletter', id: String(issue._id) },
      list: String(list._id),
      ...(issue.segment ? { segment: String(issue.segment) } : {}),
      content: await trackNewsLinks(ctx.config, String(issue._id), issue.items, { subject: issue.content!.subject!, html: issue.content!.html!, text: issue.content!.text! }),
      browserUrl: archiveUrl(ctx.config, issue.slug),
    },
    actor,
  );
}

/**
 * Issues left `sending` without a mailing (the process died between the claim and the
 * mailing's creation): once their claim is stale, the watchdog sends them. Returns their ids.
 */
export async function resumeStalledNewsletters(ctx: AppContext): Promise<string[]> {
  const resumed: string[] = [];
  for (const issue of await Newsletter.find({ status: 'sending', mailing: null }).lean()) {
    const id = String(issue._id);
    if (!(await claimOnce(sendClaim(id), SEND_CLAIM_STALE_MS))) continue;
    await mailIssue(ctx, issue as NewsletterRecord);
    resumed.push(id);
  }
  return resumed;
}

/**
 * The issue with its mailing's figures as they are now; an issue whose mailing finished reads
 * as `sent`. A read writes nothing: the job `newsletter:follow` records the figures and status.
 */
export async function getNewsletter(id: string): Promise<NewsletterRecord> {
  const issue = await getNewsletterRecord(id);
  if (!issue.mailing || !['sending', 'sent'].includes(issue.status)) return issue;
  return { ...issue, ...(await followedFields(issue)) };
}

/** What the issue's mailing says of it now: figures, and `sent` once the mailing is done. */
async function followedFields(issue: NewsletterRecord) {
  const progress = await mailingProgress(String(issue.mailing));
  const done = issue.status === 'sending' && progress.status === 'sent';
  return { figures: progress, ...(done ? { status: 'sent' as const, sentAt: progress.finishedAt ?? new Date() } : {}) };
}

/**
 * What the issue's review page shows besides the issue: before sending, who it will reach
 * (count, exclusions, a few names); once sent, what happened (delivered, bounces,
 * unsubscriptions) and which items and categories readers clicked, in aggregate.
 */
export async function newsletterReview(issue: NewsletterRecord) {
  const [list, segment] = await Promise.all([resolveList(issue.list ?? 'lettre-mensuelle'), issue.segment ? Segment.findById(issue.segment, { name: 1 }).lean() : null]);
  const names = { listName: list.name, segmentName: segment?.name ?? null };
  if (!issue.mailing) return { ...names, audience: await audienceSummary({ list: list._id, segment: issue.segment }) };
  const progress = await mailingProgress(String(issue.mailing));
  const mailings = (await Mailing.find({ 'source.kind': 'newsletter', 'source.id': String(issue._id) }, { _id: 1 }).lean()).map((m) => m._id);
  const [outcome, clicks, categories] = await Promise.all([mailingFigures(mailings), clicksOf({ kind: 'newsletter', id: String(issue._id) }), newsCategories()]);
  const label = new Map(categories.map((c) => [String(c._id), c.label]));
  const byCategory = new Map<string, number>();
  for (const link of clicks) if (link.category) byCategory.set(link.category, (byCategory.get(link.category) ?? 0) + link.clicks);
  const categoryClicks = [...byCategory].map(([category, n]) => ({ category, label: label.get(category) ?? '', clicks: n })).sort((a, b) => b.clicks - a.clicks);
  return { ...names, progress, outcome, clicks, categoryClicks };
}

/** Brings the figures of every issue being sent up to date (and marks finished ones `sent`). */
export async function refreshSendingNewsletters(): Promise<number> {
  const sending = await Newsletter.find({ status: 'sending', mailing: { $ne: null } }).lean();
  for (const issue of sending) await Newsletter.updateOne({ _id: issue._id }, { $set: await followedFields(issue as NewsletterRecord) });
  return sending.length;
}

export async function getNewsletterRecord(id: string): Promise<NewsletterRecord> {
  const issue = await Newsletter.findById(id).lean();
  if (!issue) throw notFound('Lettre');
  return issue as NewsletterRecord;
}

export async function listNewsletters(query: ListQuery<NewsletterFilter>) {
  const where: Record<string, unknown> = {};
  if (query.filter.status) where.status = query.filter.status;
  if (query.filter.month) where.month = query.filter.month;
  if (query.filter.id) where._id = { $in: query.filter.id };
  const [items, total] = await Promise.all([
    Newsletter.find(where, { content: 0, webHtml: 0 }).sort({ [query.sort.field]: query.sort.order, _id: -1 }).skip(query.skip).limit(query.limit),
    Newsletter.countDocuments(where),
  ]);
  return { items, total };
}

/** The latest issue by month, in brief (the dashboard's "Dernière lettre"); null before the first. */
export async function latestNewsletter() {
  const issue = await Newsletter.findOne({}, { month: 1, status: 1, figures: 1 }).sort({ month: -1, _id: -1 }).lean();
  return issue && { id: String(issue._id), month: issue.month, status: issue.status, sent: issue.figures?.sent ?? null };
}

export async function deleteNewsletter(id: string) {
  const deleted = await Newsletter.findOneAndDelete({ _id: id, status: 'draft' });
  if (!deleted) {
    await getNewsletterRecord(id);
    throw conflict('Seule une lettre en brouillon peut être supprimée.', 'status');
  }
  return deleted;
}

/**
 * The job of the 1st: compiles last month's issue and tells staff (the preview link, or
 * that there was no news). An approved or sent issue is left alone, silently.
 */
export async function runMonthlyNewsletter(ctx: Ctx, now = new Date(), month = previousMonth(now)) {
  try {
    const { issue, outcome } = await compileNewsletter(ctx, month);
    if (outcome === 'unchanged') return { month, outcome, issue };
    const count = issue.items.length;
    await notifyStaff(ctx, {
      title: `${issue.title} : brouillon ${outcome === 'created' ? 'prêt' : 'mis à jour'}`,
      paragraphs: [
        `Le brouillon de la lettre de ${monthLabel(month)} rassemble ${count} actualité${count > 1 ? 's' : ''}.`,
        "Relisez-le, ajoutez le mot de l'équipe, retirez ou réordonnez des actualités, puis approuvez-le pour l'envoyer.",
      ],
      action: { url: `${ctx.config.publicUrl}/admin/newsletters/${issue._id}/show`, label: 'Relire la lettre' },
    });
    return { month, outcome, issue };
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== 'empty_month') throw error;
    await notifyStaff(ctx, {
      title: `Pas de lettre pour ${monthLabel(month)}`,
      paragraphs: [error.message, "Ajoutez des actualités du mois puis compilez la lettre depuis l'administration si besoin."],
    });
    return { month, outcome: 'empty' as const, issue: undefined };
  }
}

