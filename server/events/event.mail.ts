import type { AppContext } from '../context.js';
import { sendTransactional } from '../delivery/transactional.js';
import { parisInstant } from '../lib/paris-time.js';
import { renderEmail } from '../templates/render.js';
import { calendarFile } from './event.ics.js';
import { cancelUrl, evaluationUrl } from './event.links.js';
import type { EventRecord, RegistrationRecord } from './event.model.js';

type Ctx = Pick<AppContext, 'config'>;

const dayFormat = new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
const hour = (local: string) => {
  const [h, m] = local.slice(11, 16).split(':');
  return `${Number(h)} h${m === '00' ? '' : ` ${m}`}`;
};

/** "mardi 20 janvier 2026, de 10 h à 12 h 30" (or "du … au …" over several days), Paris time. */
export function eventWhen(event: Pick<EventRecord, 'start' | 'end'>): string {
  const startDay = dayFormat.format(parisInstant(event.start));
  if (event.start.slice(0, 10) === event.end.slice(0, 10)) return `${startDay}, de ${hour(event.start)} à ${hour(event.end)}`;
  return `du ${startDay} à ${hour(event.start)} au ${dayFormat.format(parisInstant(event.end))} à ${hour(event.end)}`;
}

function common(ctx: Ctx, event: EventRecord, registration: RegistrationRecord) {
  return {
    firstName: registration.firstName,
    title: event.title,
    when: eventWhen(event),
    place: event.place,
    programmeUrl: event.programmeUrl,
    cancelUrl: cancelUrl(ctx.config, String(registration._id)),
  };
}

/** The .ics of a confirmed place: the visio link is in it, since only confirmed people get it. */
function calendarAttachment(ctx: Ctx, event: EventRecord, registration: RegistrationRecord) {
  const host = new URL(ctx.config.publicUrl).hostname;
  const description = [event.visioUrl ? `Lien de connexion : ${event.visioUrl}` : '', event.programmeUrl ? `Programme : ${event.programmeUrl}` : '', `Annuler votre inscription : ${cancelUrl(ctx.config, String(registration._id))}`]
    .filter(Boolean)
    .join('\n');
  const content = calendarFile({
    uid: `inscription-${registration._id}@${host}`,
    title: event.title,
    start: event.start,
    end: event.end,
    location: event.place || event.visioUrl || undefined,
    description,
    url: event.visioUrl || undefined,
  });
  return { filename: 'rencontre.ics', content, contentType: 'text/calendar; charset=utf-8; method=PUBLISH' };
}

/** The e-mail telling a registrant where they stand: a confirmed place (with the .ics), or the waiting list. */
export async function sendStatusMail(ctx: Ctx, event: EventRecord, registration: RegistrationRecord, options: { promoted?: boolean } = {}) {
  if (registration.status === 'registered') {
    const content = await renderEmail('event-confirmed', { ...common(ctx, event, registration), visioUrl: event.visioUrl, promoted: options.promoted }, ctx.config);
    return sendTransactional(ctx, { to: registration.email, ...content, attachments: [calendarAttachment(ctx, event, registration)] });
  }
  if (registration.status === 'waiting') {
    const content = await renderEmail('event-waitlisted', common(ctx, event, registration), ctx.config);
    return sendTransactional(ctx, { to: registration.email, ...content });
  }
  return undefined;
}

export async function sendReminderMail(ctx: Ctx, event: EventRecord, registration: RegistrationRecord) {
  const content = await renderEmail('event-reminder', { ...common(ctx, event, registration), visioUrl: event.visioUrl }, ctx.config);
  return sendTransactional(ctx, { to: registration.email, ...content });
}

export async function sendEvaluationMail(ctx: Ctx, event: EventRecord, registration: RegistrationRecord) {
  const content = await renderEmail('event-evaluation', { firstName: registration.firstName, title: event.title, evaluationUrl: evaluationUrl(ctx.config, String(registration._id)) }, ctx.config);
  return sendTransactional(ctx, { to: registration.email, ...content });
}
