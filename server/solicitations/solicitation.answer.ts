import { randomUUID } from 'node:crypto';
import type { AppContext } from '../context.js';
import { getContact } from '../contacts/contact.service.js';
import { mailerFor } from '../delivery/mailer.js';
import { badRequest, notFound } from '../lib/errors.js';
import { createNews } from '../news/news.service.js';
import { renderEmail } from '../templates/render.js';
import type { Actor } from '../users/user.service.js';
import { MailThread, Solicitation } from './solicitation.model.js';
import { getSolicitation, newReference } from './solicitation.service.js';

/**
 * Staff answer a request from Maillage: one e-mail from the association's contact address,
 * with the request's tag in the subject and threaded on the last message received, so the
 * requester's reply comes back to the same solicitation.
 */
export async function answerSolicitation(ctx: Pick<AppContext, 'config'>, id: string, input: { text: string; timeSpentMinutes?: number }, actor: Actor, now = new Date()) {
  const solicitation = await Solicitation.findById(id);
  if (!solicitation) throw notFound('Sollicitation');
  const to = solicitation.requester ? (await requesterOf(solicitation.requester))?.email : undefined;
  if (!to) throw badRequest('Ce demandeur n’a pas d’adresse e-mail : notez la réponse donnée par téléphone dans le champ « Réponse ».', 'text');
  solicitation.reference ??= await newReference(solicitation.receivedAt);
  const received = solicitation.messages.filter((m) => m.direction === 'in');
  const last = received.at(-1);
  const from = ctx.config.solicitations.from;
  const messageId = `${randomUUID()}@${domainOf(from)}`;
  const subject = answerSubject(last?.subject || solicitation.subject || 'Votre demande', solicitation.reference);
  const threadIds = solicitation.messages.map((m) => `<${m.messageId}>`);
  await mailerFor(ctx.config, 'transactional').send({
    from,
    to,
    subject,
    text: input.text,
    html: textToHtml(input.text),
    messageId: `<${messageId}>`,
    headers: last ? { 'In-Reply-To': `<${last.messageId}>`, References: threadIds.join(' ') } : {},
  });
  await MailThread.create({ _id: messageId, solicitation: solicitation._id });
  solicitation.messages.push({ direction: 'out', messageId, date: now, from, to, subject, text: input.text, sentBy: actor.id });
  solicitation.set({
    status: 'answered',
    answer: input.text,
    answeredAt: solicitation.answeredAt ?? now,
    timeSpentMinutes: (solicitation.timeSpentMinutes ?? 0) + (input.timeSpentMinutes ?? 0),
    unread: false,
    updatedBy: actor.id,
  });
  await solicitation.save();
  return getSolicitation(id);
}

/** The requester's contact, or null when there is none (or it was deleted since). */
async function requesterOf(id: unknown) {
  return id ? getContact(String(id)).catch(() => null) : null;
}

function answerSubject(subject: string, reference: string): string {
  const base = subject.includes(`[${reference}]`) ? subject : `${subject} [${reference}]`;
  return /^(re|ré)\s*:/i.test(base) ? base : `Re: ${base}`;
}

function domainOf(address: string): string {
  return /@([^>\s]+)/.exec(address)?.[1] ?? 'maillage.local';
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
function textToHtml(text: string): string {
  return text
    .split(/\n{2,}/)
    .map((paragraph) => `<p>${escapeHtml(paragraph).replace(/\n/g, '<br>')}</p>`)
    .join('\n');
}

// ---------- job offers and events relayed as news ----------

const NEWS_CATEGORY_OF_TYPE: Record<string, string> = { 'relais-emploi': 'offres-emploi', 'relais-evenement': 'evenements' };

/** A news item prefilled from the request, for staff to review before publishing. */
export async function newsDraftOf(id: string) {
  const solicitation = await getSolicitation(id);
  const type = solicitation.type ?? solicitation.suggested?.type;
  const text = solicitation.messages?.find((m) => m.direction === 'in')?.text || solicitation.message || '';
  return {
    title: (solicitation.subject || text.split('\n')[0] || 'Offre relayée').replace(/^((re|tr|fwd?)\s*:\s*)+/i, '').slice(0, 200),
    summary: text.replace(/\s+/g, ' ').trim().slice(0, 600),
    url: /https?:\/\/[^\s<>"')]+/.exec(text)?.[0] ?? null,
    category: NEWS_CATEGORY_OF_TYPE[type ?? ''] ?? 'offres-emploi',
    territories: solicitation.territory ? [solicitation.territory] : solicitation.suggested?.territory ? [solicitation.suggested.territory] : [],
    themes: solicitation.themes?.length ? solicitation.themes.map(String) : (solicitation.suggested?.themes ?? []).map(String),
    publishedAt: new Date().toISOString(),
  };
}

/** Publishes the reviewed news item, links it to the request and tells the requester where it is. */
export async function publishAsNews(ctx: Pick<AppContext, 'config' | 'logger'>, id: string, news: Parameters<typeof createNews>[0], actor: Actor) {
  const solicitation = await Solicitation.findById(id);
  if (!solicitation) throw notFound('Sollicitation');
  const item = await createNews(news);
  solicitation.set({ newsItem: item.id, updatedBy: actor.id });
  await solicitation.save();
  const requester = await requesterOf(solicitation.requester);
  if (requester?.email) {
    const email = await renderEmail('solicitation-published', { title: item.title, url: item.url, reference: solicitation.reference }, ctx.config);
    await mailerFor(ctx.config, 'transactional')
      .send({ from: ctx.config.solicitations.from, to: requester.email, ...email })
      .catch((error: unknown) => ctx.logger.warn({ err: error }, 'publication notice not sent'));
  }
  return { news: item, solicitation: await getSolicitation(id) };
}
