import { Types } from 'mongoose';
import type { AppContext } from '../context.js';
import { findOrCreateContactByEmail, updateContact } from '../contacts/contact.service.js';
import { retryBusy } from '../lib/busy.js';
import { withId, isDuplicateKey } from '../lib/db.js';
import { AppError, badRequest, notFound } from '../lib/errors.js';
import { escapeRegExp, normalizeEmail } from '../lib/normalize.js';
import type { ListQuery } from '../lib/rest.js';
import { requestSubscription } from '../subscriptions/subscription.service.js';
import { resolveTerritoryLabel } from '../territories/territory.service.js';
import { assertCodes } from '../vocabularies/vocabulary.service.js';
import { registeredContactIds } from '../contacts/contact.filter.js';
import { sendStatusMail } from './event.mail.js';
import { apiStatus, Event, EventSeat, Registration, REGISTRATION_STATUS_LABELS, type EventRecord, type RegistrationRecord } from './event.model.js';
import type { RegistrationFilter, RegistrationForm } from './event.schemas.js';
import { getEventRecord, registrationState } from './event.service.js';

type Ctx = Pick<AppContext, 'config' | 'logger'>;
const NEWSLETTER_LIST = 'lettre-mensuelle';


// ---------------------------------------------------------------- the public form

/** The answers to the event's own questions (`q_<key>` fields), checked against each question. */
export function readAnswers(event: Pick<EventRecord, 'questions'>, body: Record<string, unknown>): Array<{ key: string; value: string }> {
  const answers: Array<{ key: string; value: string }> = [];
  for (const question of event.questions) {
    const field = `q_${question.key}`;
    const raw = body[field];
    const value = (typeof raw === 'string' ? raw : '').trim().slice(0, 2000);
    if (!value) {
      if (question.required) throw badRequest(`« ${question.label} » : réponse obligatoire.`, field);
      continue;
    }
    if (question.kind === 'choice' && !question.choices.includes(value)) throw badRequest(`« ${question.label} » : choisissez une des réponses proposées.`, field);
    if (question.kind === 'yesno' && !['oui', 'non'].includes(value)) throw badRequest(`« ${question.label} » : répondez oui ou non.`, field);
    answers.push({ key: question.key, value });
  }
  return answers;
}

/**
 * A registration from the public page. The answer does not depend on whether the address was
 * known, already registered or erased: every outcome is told by e-mail, sent after answering.
 * The contact is matched by e-mail (its qualified fields only filled when empty: what the
 * person declared stays on the registration for staff to review) or created with the source
 * "inscription à <event>".
 */
export async function registerForEvent(ctx: Ctx, event: EventRecord, form: RegistrationForm, body: Record<string, unknown>, ip?: string, now = new Date()): Promise<void> {
  if (form.website) return; // honeypot filled: a robot
  const state = registrationState(event, now);
  if (!state.open) throw badRequest(state.reason!);
  const answers = readAnswers(event, body);
  if (form.organisationType) await assertCodes('organisationTypes', [form.organisationType], 'organisationType');
  if (form.function) await assertCodes('functions', [form.function], 'function');
  if (form.dispositifs.length) await assertCodes('dispositifs', form.dispositifs, 'dispositifs');
  const territory = form.territory ? resolveTerritoryLabel(form.territory) : undefined;
  if (form.territory && !territory) throw badRequest('Territoire : commune, code postal ou département introuvable.', 'territory');

  const contact = await contactOf(event, form, territory?.id);
  if (!contact) return; // an address erased at its owner's request is not re-created by a form
  const declared = {
    email: normalizeEmail(form.email),
    firstName: form.firstName,
    lastName: form.lastName,
    organisationName: form.organisationName ?? '',
    organisationType: form.organisationType || undefined,
    function: form.function || undefined,
    territory: territory?.id,
    territoryLabel: form.territory ?? '',
    dispositifs: form.dispositifs,
    accessibilityNeeds: form.accessibilityNeeds ?? '',
    answers,
    newsletterConsent: form.newsletter === 'oui',
  };
  const registration = await recordRegistration(event, contact, declared, now);
  if (registration.fresh) await seatNewcomer(ctx, event, registration.id);
  if (form.newsletter === 'oui') {
    const subscribe = { email: form.email, firstName: form.firstName, lastName: form.lastName, organisation: form.organisationName, function: form.function, territory: form.territory, themes: [], lists: [NEWSLETTER_LIST] };
    await requestSubscription(ctx, subscribe, ip).catch((error: unknown) => ctx.logger.warn({ err: error }, 'newsletter request from an event registration failed'));
  }
  void notifyStatus(ctx, String(registration.id), { again: !registration.fresh }).catch((error: unknown) => ctx.logger.error({ err: error }, 'event registration e-mail not sent'));
}

async function contactOf(event: EventRecord, form: RegistrationForm, territory: string | undefined) {
  const profile = { function: form.function || undefined, dispositifs: form.dispositifs.length ? form.dispositifs : undefined, territories: territory ? [territory] : undefined };
  try {
    const { contact, created } = await retryBusy(() =>
      findOrCreateContactByEmail({ email: form.email, firstName: form.firstName, lastName: form.lastName, source: `inscription à ${event.title}`.slice(0, 100), ...profile }),
    );
    if (!created) await fillEmptyFields(contact, form, profile);
    return { id: contact._id as Types.ObjectId, created };
  } catch (error) {
    if (error instanceof AppError && error.code === 'erased') return undefined;
    throw error;
  }
}

/** Staff data wins: the form only fills what is empty. */
async function fillEmptyFields(
  contact: { _id: unknown; firstName?: string | null; lastName?: string | null; function?: string | null; dispositifs: string[]; territories: string[]; erasedAt?: Date | null },
  form: RegistrationForm,
  profile: { function?: string; dispositifs?: string[]; territories?: string[] },
) {
  if (contact.erasedAt) return;
  const fill: Record<string, unknown> = {};
  if (!contact.firstName) fill.firstName = form.firstName;
  if (!contact.lastName) fill.lastName = form.lastName;
  if (!contact.function && profile.function) fill.function = profile.function;
  if (!contact.dispositifs.length && profile.dispositifs) fill.dispositifs = profile.dispositifs;
  if (!contact.territories.length && profile.territories) fill.territories = profile.territories;
  if (Object.keys(fill).length) await retryBusy(() => updateContact(String(contact._id), fill));
}

type Declared = Record<string, unknown> & { email: string };

/**
 * Inserts the registration, waiting for a seat. A second registration of the same person
 * (the unique `key`) keeps the first unless it was cancelled, which is then renewed.
 */
async function recordRegistration(event: EventRecord, contact: { id: Types.ObjectId; created: boolean }, declared: Declared, now: Date) {
  const key = `${event._id}:${contact.id}`;
  const status = event.capacity ? 'waiting' : 'registered';
  try {
    const created = await retryBusy(() =>
      Registration.create({ ...declared, event: event._id, contact: contact.id, key, status, registeredAt: now, confirmedAt: status === 'registered' ? now : undefined, newContact: contact.created }),
    );
    return { id: created._id, fresh: true };
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
  }
  const existing = await Registration.findOne({ key });
  if (!existing) throw new Error(`registration ${key} reported as duplicate but not found`);
  if (existing.status !== 'cancelled') return { id: existing._id, fresh: false };
  existing.set({ ...declared, status, registeredAt: now, cancelledAt: undefined, promotedAt: undefined, confirmedAt: status === 'registered' ? now : undefined, notifiedStatus: undefined });
  await retryBusy(() => existing.save());
  return { id: existing._id, fresh: true };
}

// ---------------------------------------------------------------- seats and the waiting list

/**
 * A new registration takes a free seat if there is one, or waits. Among registrations arriving
 * at the same moment the order is the server's, as at a ticket desk; once the event is full,
 * seats freed by cancellations go to the waiting list in order of arrival (placeWaiting).
 */
async function seatNewcomer(ctx: Ctx, event: EventRecord, id: Types.ObjectId): Promise<void> {
  if (!event.capacity) return;
  if (await claimSeat(event, id, { mayHoldOne: false })) await confirmSeated(ctx, id);
}

/** Gives free seats to the waiting list in the order of arrival: after a cancellation, or a larger capacity. */
export async function placeWaiting(ctx: Ctx, event: Pick<EventRecord, '_id' | 'capacity'>): Promise<void> {
  if (!event.capacity) return;
  for (;;) {
    const free = event.capacity - (await EventSeat.countDocuments({ event: event._id }));
    if (free <= 0) return;
    const next = await Registration.find({ event: event._id, status: 'waiting' }, { _id: 1 }).sort({ registeredAt: 1, _id: 1 }).limit(free).lean();
    if (!next.length) return;
    for (const { _id } of next) {
      if (!(await claimSeat(event, _id))) return;
      await confirmSeated(ctx, _id);
    }
  }
}

/**
 * A seat for this registration: the one it holds, or a free seat number claimed by inserting
 * it. The taken seats are read once, then free numbers are tried in random order (concurrent
 * claims rarely pick the same one); they are read again only when all of them were taken meanwhile.
 */
async function claimSeat(event: Pick<EventRecord, '_id' | 'capacity'>, registration: Types.ObjectId, options: { mayHoldOne?: boolean } = {}): Promise<boolean> {
  if (options.mayHoldOne !== false && (await EventSeat.exists({ registration }))) return true;
  for (let round = 0; round < 5; round++) {
    const taken = new Set((await EventSeat.find({ event: event._id }, { _id: 1 }).lean()).map((s) => s._id));
    const free: string[] = [];
    for (let n = 1; n <= event.capacity!; n++) if (!taken.has(`${event._id}:${n}`)) free.push(`${event._id}:${n}`);
    if (!free.length) return false;
    for (let i = free.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [free[i], free[j]] = [free[j], free[i]];
    }
    for (const seat of free) {
      try {
        await retryBusy(() => EventSeat.create({ _id: seat, event: event._id, registration }));
        return true;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        if (await EventSeat.exists({ registration })) return true; // a promotion seated it meanwhile
      }
    }
  }
  return false;
}

/** The seated registration is confirmed; one cancelled meanwhile gives its seat back. */
async function confirmSeated(ctx: Ctx, id: Types.ObjectId) {
  const now = new Date();
  const { modifiedCount } = await retryBusy(() => Registration.updateOne({ _id: id, status: 'waiting' }, { $set: { status: 'registered', confirmedAt: now } }));
  if (modifiedCount) return notifyStatus(ctx, String(id)).catch((error: unknown) => ctx.logger.error({ err: error }, 'event status e-mail not sent'));
  const current = await Registration.findById(id, { status: 1 }).lean();
  if (current?.status === 'cancelled') await EventSeat.deleteOne({ registration: id });
}

/**
 * Tells the person their current status once: the status told is recorded with a conditional
 * update, so the registering request and a concurrent promotion never both send the same news,
 * and a promotion after the waiting-list e-mail says "une place s'est libérée".
 * `again`: a second registration of the same person gets its status e-mail again.
 */
export async function notifyStatus(ctx: Pick<AppContext, 'config'>, id: string, options: { again?: boolean } = {}) {
  const registration = await Registration.findById(id).lean();
  if (!registration || registration.status === 'cancelled') return;
  const told = (registration as { notifiedStatus?: string }).notifiedStatus;
  if (told === registration.status && !options.again) return;
  const { modifiedCount } = await retryBusy(() =>
    Registration.updateOne({ _id: registration._id, status: registration.status, notifiedStatus: told ?? { $exists: false } }, { $set: { notifiedStatus: registration.status } }),
  );
  if (!modifiedCount && !options.again) return;
  const event = await Event.findById(registration.event).lean();
  if (!event) return;
  await sendStatusMail(ctx, event as EventRecord, registration as RegistrationRecord, { promoted: told === 'waiting' && registration.status === 'registered' });
}

/** Cancels a registration (idempotent), frees its seat and promotes the first on the waiting list. */
export async function cancelRegistration(ctx: Ctx, id: string): Promise<{ event: EventRecord; registration: RegistrationRecord } | undefined> {
  const registration = await Registration.findById(id);
  if (!registration) return undefined;
  const event = await Event.findById(registration.event).lean();
  if (!event) return undefined;
  if (registration.status !== 'cancelled') {
    await retryBusy(() => Registration.updateOne({ _id: registration._id }, { $set: { status: 'cancelled', cancelledAt: new Date() } }));
    await retryBusy(() => EventSeat.deleteOne({ registration: registration._id }));
    await placeWaiting(ctx, event as EventRecord);
  }
  return { event: event as EventRecord, registration: registration.toObject() as RegistrationRecord };
}

// ---------------------------------------------------------------- staff

export async function listRegistrations(query: ListQuery<RegistrationFilter>) {
  const where: Record<string, unknown> = {};
  const f = query.filter;
  if (f.event) where.event = f.event;
  if (f.status === 'present' || f.status === 'absent') Object.assign(where, { status: 'registered', attendance: f.status });
  else if (f.status) where.status = f.status;
  if (f.id) where._id = { $in: f.id };
  if (f.q) {
    const word = new RegExp(escapeRegExp(f.q.trim()), 'i');
    where.$or = [{ lastName: word }, { firstName: word }, { email: word }, { organisationName: word }];
  }
  const [items, total] = await Promise.all([
    Registration.find(where).sort({ [query.sort.field]: query.sort.order, _id: 1 }).skip(query.skip).limit(query.limit).lean(),
    Registration.countDocuments(where),
  ]);
  return { items: items.map(describeRegistration), total };
}

export function describeRegistration(r: RegistrationRecord) {
  const { key: _key, notifiedStatus: _told, ...rest } = r as RegistrationRecord & { notifiedStatus?: string };
  const status = apiStatus(r);
  return { ...withId(rest), status, statusLabel: REGISTRATION_STATUS_LABELS[status] };
}

export async function getRegistration(id: string) {
  const registration = Types.ObjectId.isValid(id) ? await Registration.findById(id).lean() : null;
  if (!registration) throw notFound('Inscription');
  return describeRegistration(registration as RegistrationRecord);
}

/** Staff change: cancel (promoting the waiting list), or tick present/absent (the check-in screen). */
export async function updateRegistration(ctx: Ctx, id: string, input: { status?: 'registered' | 'cancelled'; attendance?: 'present' | 'absent' | null }) {
  const registration = Types.ObjectId.isValid(id) ? await Registration.findById(id, { status: 1 }).lean() : null;
  if (!registration) throw notFound('Inscription');
  if (input.status === 'cancelled') await cancelRegistration(ctx, id);
  if (input.status === 'registered' && registration.status !== 'registered') {
    throw badRequest("Une place se confirme depuis la liste d'attente quand une autre se libère : augmentez la capacité pour confirmer plus de monde.", 'status');
  }
  if (input.attendance && input.status !== 'cancelled' && registration.status !== 'registered') {
    throw badRequest("Seule une personne inscrite (ni en liste d'attente ni annulée) peut être marquée présente ou absente.", 'status');
  }
  if (input.attendance !== undefined && input.status !== 'cancelled') await setAttendance(id, input.attendance);
  return getRegistration(id);
}

export async function setAttendance(id: string, attendance: 'present' | 'absent' | null) {
  const update = attendance ? { $set: { attendance, checkedInAt: attendance === 'present' ? new Date() : undefined } } : { $unset: { attendance: 1, checkedInAt: 1 } };
  const { matchedCount } = await retryBusy(() => Registration.updateOne({ _id: id }, update));
  if (!matchedCount) throw notFound('Inscription');
}

/**
 * The contacts of an event, for a segment or a targeted mailing: everyone registered (not
 * cancelled), or only those marked present. Erased registrations are left out.
 */
export async function contactIdsForEvent(eventId: string, options: { attended?: boolean } = {}): Promise<string[]> {
  await getEventRecord(eventId);
  return (await registeredContactIds([eventId], options)).map(String);
}
