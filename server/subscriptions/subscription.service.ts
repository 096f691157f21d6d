import { Types } from 'mongoose';
import type { AppContext } from '../context.js';
import { createContact, findContactByEmail, getContact, updateContact } from '../contacts/contact.service.js';
import type { ContactCreateInput } from '../contacts/contact.schemas.js';
import { sendTransactional } from '../delivery/transactional.js';
import { inBackground } from '../lib/background.js';
import { isDuplicateKey } from '../lib/db.js';
import { badRequest, notFound } from '../lib/errors.js';
import type { ListQuery } from '../lib/rest.js';
import { normalizeEmail } from '../lib/normalize.js';
import { List } from '../lists/list.model.js';
import { publicLists } from '../lists/list.service.js';
import { isSuppressed, liftSuppression, suppress } from '../suppressions/suppression.service.js';
import { renderEmailWithSlots } from '../templates/render.js';
import { resolveTerritoryLabel } from '../territories/territory.service.js';
import { rootThemes } from '../themes/theme.service.js';
import type { Actor } from '../users/user.service.js';
import { confirmUrl, preferencesUrl, readConfirmToken, type SubscriptionRequest } from './subscription.links.js';
import { Subscription, type SubscriptionStatus } from './subscription.model.js';
import type { SubscribeForm, SubscriptionCreateInput, SubscriptionFilter } from './subscription.schemas.js';
import { mayMailFromPublicForm } from '../delivery/public-mail.js';

/** Contacts created or filled by the public subscription form, as their history says. */
const BY_FORM = { via: 'subscription-form' };

type Ctx = Pick<AppContext, 'config' | 'logger'>;

// ---------------------------------------------------------------- public journey

/**
 * The public form. Nothing is written before the address is proven: the confirmation link
 * carries the signed request. The answer and the work done before answering are the same for
 * known and unknown addresses; the e-mail (confirmation, or "already subscribed" with a
 * preferences link) is rendered and sent after the answer.
 */
export async function requestSubscription(ctx: Ctx, form: SubscribeForm, ip: string | undefined): Promise<void> {
  if (form.website) return; // honeypot filled: a robot; same answer, nothing done
  const lists = (await publicLists()).filter((l) => form.lists.includes(l.code));
  if (!lists.length) throw badRequest('Choisissez au moins une liste.', 'lists');
  const to = normalizeEmail(form.email);
  if (!(await mayMailFromPublicForm(ctx, 'abonnement', to))) return;
  // The answer is the same for every address: whose it is, and the e-mail, come after it.
  const at = Date.now();
  inBackground(
    subscriptionEmail(ctx, form, lists, ip, at)
      .then((content) => sendTransactional(ctx, { to, ...content }))
      .catch((error: unknown) => ctx.logger.error({ err: error }, 'subscription e-mail not sent')),
  );
}

/** A confirmation link for the lists the address does not receive yet, or, when it receives them all, a link to its preferences. */
async function subscriptionEmail(ctx: Ctx, form: SubscribeForm, lists: ReadonlyArray<{ _id: Types.ObjectId; name: string }>, ip: string | undefined, at: number) {
  const contact = await findContactByEmail(form.email);
  const subscribed = new Set(
    contact ? (await Subscription.find({ contact: contact._id, status: 'subscribed' }, { list: 1 }).lean()).map((s) => String(s.list)) : [],
  );
  const missing = lists.filter((l) => !subscribed.has(String(l._id)));
  return missing.length
    ? confirmationEmail(ctx, { ...requestOf(form), lists: missing.map((l) => String(l._id)), ip, at }, missing.map((l) => l.name))
    : knownEmail(ctx, String(contact!._id), form.firstName ?? contact!.firstName ?? '', lists.map((l) => l.name));
}

/** What the confirmation link carries: the form without the honeypot and empty fields. */
function requestOf({ website: _honeypot, lists: _lists, ...form }: SubscribeForm): Omit<SubscriptionRequest, 'lists' | 'at'> {
  const fields = Object.entries({ ...form, email: normalizeEmail(form.email) }).filter(([, v]) => (Array.isArray(v) ? v.length : v));
  return Object.fromEntries(fields) as Omit<SubscriptionRequest, 'lists' | 'at'>;
}

function confirmationEmail(ctx: Ctx, request: SubscriptionRequest, listNames: string[]) {
  const data = { firstName: request.firstName, lists: listNames, confirmUrl: confirmUrl(ctx.config, request) };
  return renderEmailWithSlots('subscription-confirm', data, ['firstName', 'confirmUrl'], ctx.config);
}

function knownEmail(ctx: Ctx, contactId: string, firstName: string, listNames: string[]) {
  return renderEmailWithSlots('subscription-known', { firstName, lists: listNames, preferencesUrl: preferencesUrl(ctx.config, contactId) }, ['firstName', 'preferencesUrl'], ctx.config);
}

/**
 * The confirmation link: the address is proven, so the contact is created (or completed) and
 * each requested list subscribed with its consent proof. Idempotent. Undefined for a forged or
 * expired link.
 */
export async function confirmSubscription(ctx: Ctx, token: string, ip: string | undefined): Promise<{ lists: string[] } | undefined> {
  const request = readConfirmToken(ctx.config, token);
  if (!request) return undefined;
  await liftSuppression(request.email); // a new explicit consent
  const contact = await contactForRequest(ctx, request);
  const names: string[] = [];
  for (const listId of request.lists) {
    const list = await List.findOne({ _id: listId, active: true });
    if (!list) continue;
    names.push(list.name);
    await upsertSubscription(contact._id, list._id, (existing) =>
      existing?.status === 'subscribed'
        ? undefined
        : {
            status: 'subscribed',
            source: 'form',
            consent: { at: new Date(request.at), source: 'form', ip: request.ip, wording: list.consentWording, confirmedAt: new Date(), confirmedIp: ip },
            profile: { organisation: request.organisation, function: request.function, territory: request.territory, themes: request.themes },
          },
    );
  }
  return { lists: names };
}

async function contactForRequest(ctx: Ctx, request: SubscriptionRequest) {
  const profile: Partial<ContactCreateInput> = {
    function: request.function || undefined,
    themes: request.themes?.length ? request.themes : undefined,
    territories: request.territory ? [resolveTerritoryLabel(request.territory)?.id].filter((t): t is string => Boolean(t)) : undefined,
    notes: request.organisation ? `Organisation indiquée à l'abonnement : ${request.organisation}` : undefined,
  };
  const existing = await findContactByEmail(request.email);
  if (!existing) {
    const base = { email: request.email, firstName: request.firstName, lastName: request.lastName, source: 'abonnement' };
    try {
      return await createContact({ ...base, ...profile }, undefined, BY_FORM);
    } catch (error) {
      ctx.logger.warn({ err: error }, 'subscription profile refused; contact created without it');
      return (await findContactByEmail(request.email)) ?? createContact(base, undefined, BY_FORM);
    }
  }
  // Staff data wins: the form only fills what is empty.
  const fill: Record<string, unknown> = {};
  if (!existing.firstName && request.firstName) fill.firstName = request.firstName;
  if (!existing.lastName && request.lastName) fill.lastName = request.lastName;
  if (!existing.function && profile.function) fill.function = profile.function;
  if (!existing.themes.length && profile.themes) fill.themes = profile.themes;
  if (!existing.territories.length && profile.territories?.length) fill.territories = profile.territories;
  if (Object.keys(fill).length) await updateContact(String(existing._id), fill, undefined, BY_FORM).catch((error: unknown) => ctx.logger.warn({ err: error }, 'profile not applied'));
  return existing;
}

type SubscriptionDoc = InstanceType<typeof Subscription>;

/** Find-then-write on (contact, list): `change` returns the fields to set, or undefined to keep it. */
async function upsertSubscription(
  contact: Types.ObjectId,
  list: Types.ObjectId,
  change: (existing: SubscriptionDoc | null) => Record<string, unknown> | undefined,
): Promise<SubscriptionDoc | null> {
  for (let attempt = 0; attempt < 2; attempt++) {
    const existing = await Subscription.findOne({ contact, list });
    const fields = change(existing);
    if (!fields) return existing;
    if (existing) {
      existing.set({ ...fields, unsubscribedAt: undefined, unsubscribeSource: undefined });
      return existing.save();
    }
    try {
      return await Subscription.create({ contact, list, ...fields });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error; // created meanwhile by another request: update it
    }
  }
  return null;
}

/** Unsubscribes one subscription (idempotent); undefined when it does not exist. */
export async function unsubscribe(subscriptionId: string, source: 'link' | 'one-click' | 'mailto' | 'preferences' | 'staff' | 'complaint') {
  const subscription = await Subscription.findById(subscriptionId);
  if (!subscription) return undefined;
  if (subscription.status !== 'unsubscribed') {
    subscription.set({ status: 'unsubscribed', unsubscribedAt: new Date(), unsubscribeSource: source });
    await subscription.save();
  }
  const list = await List.findById(subscription.list, { name: 1 }).lean();
  return { subscription, listName: list?.name ?? '' };
}

// ---------------------------------------------------------------- preferences

export async function preferencesOf(contactId: string) {
  const contact = await getContact(contactId).catch(() => undefined);
  if (!contact || (contact as { erasedAt?: Date }).erasedAt) return undefined;
  const subscriptions = await Subscription.find({ contact: contact._id }).lean();
  const statusByList = new Map(subscriptions.map((s) => [String(s.list), s.status]));
  const lists = await List.find({ active: true, $or: [{ public: true }, { _id: { $in: subscriptions.map((s) => s.list) } }] })
    .sort({ order: 1 })
    .lean();
  const themes = await rootThemes();
  const chosen = new Set(contact.themes.map(String));
  return {
    contact,
    lists: lists.map((l) => ({ id: String(l._id), name: l.name, description: l.description, subscribed: statusByList.get(String(l._id)) === 'subscribed' })),
    themes: themes.map((t) => ({ id: String(t._id), name: t.name, chosen: chosen.has(String(t._id)) })),
  };
}

/**
 * Saves the preference page. The signed link proves the address, so ticking a list subscribes
 * at once (consent source "preferences"); unticking unsubscribes; "leave" unsubscribes from
 * everything and suppresses the address from bulk mail.
 */
export async function savePreferences(
  contactId: string,
  input: { lists: string[]; themes: string[]; leave: boolean },
  ip: string | undefined,
): Promise<{ left: boolean } | undefined> {
  const view = await preferencesOf(contactId);
  if (!view) return undefined;
  const { contact } = view;
  if (input.leave) {
    await Subscription.updateMany(
      { contact: contact._id, status: { $in: ['subscribed', 'pending'] } },
      { $set: { status: 'unsubscribed', unsubscribedAt: new Date(), unsubscribeSource: 'preferences' } },
    );
    await suppress(contact.email, 'unsubscribed', 'preferences');
    return { left: true };
  }
  for (const list of view.lists) {
    const wanted = input.lists.includes(list.id);
    if (wanted === list.subscribed) continue;
    if (!wanted) {
      await Subscription.updateOne(
        { contact: contact._id, list: list.id },
        { $set: { status: 'unsubscribed', unsubscribedAt: new Date(), unsubscribeSource: 'preferences' } },
      );
      continue;
    }
    const record = await List.findById(list.id).lean();
    await liftSuppression(contact.email);
    await upsertSubscription(contact._id, new Types.ObjectId(list.id), () => ({
      status: 'subscribed',
      source: 'preferences',
      consent: { at: new Date(), source: 'preferences', ip, wording: record?.consentWording ?? '', confirmedAt: new Date(), confirmedIp: ip },
    }));
  }
  const topLevel = new Set(view.themes.map((t) => t.id));
  const wantedThemes = input.themes.filter((id) => topLevel.has(id));
  const kept = contact.themes.map(String).filter((id) => !topLevel.has(id));
  const themes = [...kept, ...wantedThemes];
  if (themes.sort().join() !== contact.themes.map(String).sort().join()) await updateContact(contactId, { themes }, undefined, { via: 'preferences' });
  return { left: false };
}

// ---------------------------------------------------------------- staff API

export async function listSubscriptions(query: ListQuery<SubscriptionFilter>) {
  const where: Record<string, unknown> = {};
  const f = query.filter;
  if (f.contact) where.contact = f.contact;
  if (f.list) where.list = f.list;
  if (f.status) where.status = { $in: f.status };
  if (f.source) where.source = f.source;
  if (f.id) where._id = { $in: f.id };
  const [items, total] = await Promise.all([
    Subscription.find(where).sort({ [query.sort.field]: query.sort.order }).skip(query.skip).limit(query.limit),
    Subscription.countDocuments(where),
  ]);
  return { items, total };
}

export async function getSubscription(id: string) {
  const subscription = await Subscription.findById(id);
  if (!subscription) throw notFound('Abonnement');
  return subscription;
}

/**
 * Staff or an import subscribes a contact. A suppressed address or a person who unsubscribed
 * comes back only through their own new request.
 */
/**
 * Staff adding a contact to a list. A double opt-in list never gets a subscriber without
 * consent: either the confirmation request is e-mailed (pending until the link is followed),
 * or a consent already given is recorded with its source.
 */
export async function subscribeByStaff(ctx: Ctx, input: SubscriptionCreateInput, actor?: Actor) {
  const { consent, ...fields } = input;
  const list = await List.findById(fields.list);
  if (!list) throw badRequest('Liste inconnue.', 'list');
  if (!list.doubleOptIn) return createSubscription(fields, actor);
  if (consent?.mode === 'existing') {
    if (!consent.evidence) throw badRequest('Indiquez d’où vient le consentement déjà recueilli (formulaire papier, inscription à une rencontre…).', 'consent.evidence');
    const at = consent.at ? new Date(`${consent.at}T12:00:00Z`) : undefined;
    return createSubscription({ ...fields, status: 'subscribed' }, actor, { evidence: consent.evidence, ...(at ? { at } : {}) });
  }
  if (consent?.mode !== 'request') {
    throw badRequest(
      `La liste « ${list.name} » demande une double confirmation : envoyez la demande de confirmation, ou enregistrez le consentement déjà recueilli et sa source.`,
      'consent',
    );
  }
  const contact = await getContact(fields.contact).catch(() => {
    throw badRequest('Contact inconnu.', 'contact');
  });
  const existing = await Subscription.findOne({ contact: contact._id, list: list._id });
  if (existing?.status === 'subscribed') return existing;
  if (await isSuppressed(contact.email)) {
    throw badRequest("Cette adresse est exclue des envois (désabonnement, erreur définitive ou plainte) : seule une nouvelle demande de la personne peut l'abonner.", 'contact');
  }
  const pending = await createSubscription({ ...fields, status: 'pending' }, actor);
  const request = { email: contact.email, ...(contact.firstName ? { firstName: contact.firstName } : {}), lists: [String(list._id)], at: Date.now() };
  const content = await confirmationEmail(ctx, request, [list.name]);
  await sendTransactional(ctx, { to: contact.email, ...content });
  return pending;
}

export async function createSubscription(input: Omit<SubscriptionCreateInput, 'consent'>, actor?: Actor, consent: { evidence?: string; at?: Date } = {}) {
  const contact = await getContact(input.contact).catch(() => {
    throw badRequest('Contact inconnu.', 'contact');
  });
  const list = await List.findById(input.list);
  if (!list) throw badRequest('Liste inconnue.', 'list');
  const status = input.status ?? 'subscribed';
  if (status === 'subscribed' && (await isSuppressed(contact.email))) {
    throw badRequest("Cette adresse est exclue des envois (désabonnement, erreur définitive ou plainte) : seule une nouvelle demande de la personne peut l'abonner.", 'contact');
  }
  const existing = await Subscription.findOne({ contact: contact._id, list: list._id });
  if (existing) return updateSubscription(String(existing._id), { status }, actor);
  return Subscription.create({
    contact: contact._id,
    list: list._id,
    status,
    source: input.source ?? 'staff',
    consent: { at: consent.at ?? new Date(), source: input.source ?? 'staff', wording: list.consentWording, evidence: consent.evidence, ...(status === 'subscribed' ? { confirmedAt: new Date() } : {}) },
    createdBy: actor?.id,
  });
}

export async function updateSubscription(id: string, input: { status?: SubscriptionStatus }, _actor?: Actor) {
  const subscription = await getSubscription(id);
  const next: SubscriptionStatus | undefined = input.status;
  if (!next || next === subscription.status) return subscription;
  if (next === 'subscribed' && subscription.status === 'unsubscribed' && subscription.unsubscribeSource !== 'staff') {
    throw badRequest("Cette personne s'est désabonnée elle-même : seule une nouvelle demande de sa part peut la réabonner.", 'status');
  }
  if (next === 'unsubscribed') subscription.set({ unsubscribedAt: new Date(), unsubscribeSource: 'staff' });
  if (next === 'subscribed') subscription.set({ unsubscribedAt: undefined, unsubscribeSource: undefined, 'consent.confirmedAt': subscription.consent.confirmedAt ?? new Date() });
  subscription.set({ status: next });
  return subscription.save();
}
