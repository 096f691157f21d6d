import path from 'node:path';
import type { AppContext } from '../context.js';
import { contactExists, readContacts } from '../contacts/contact.store.js';
import { findContactByEmail, findOrCreateContactByEmail } from '../contacts/contact.service.js';
import { withId } from '../lib/db.js';
import { AppError, badRequest, notFound } from '../lib/errors.js';
import { escapeRegExp } from '../lib/normalize.js';
import type { ListQuery } from '../lib/rest.js';
import { sendTransactional } from '../delivery/transactional.js';
import { contactName, isContactMemberAt, nextCounterValue } from '../memberships/membership.service.js';
import { Organisation } from '../organisations/organisation.model.js';
import { parisYearRange } from '../lib/paris-time.js';
import { isSuppressed } from '../suppressions/suppression.service.js';
import { renderEmail } from '../templates/render.js';
import { getTerritory, resolveTerritoryLabel } from '../territories/territory.service.js';
import { Theme } from '../themes/theme.model.js';
import { User } from '../users/user.model.js';
import type { Actor } from '../users/user.service.js';
import { Vocabulary } from '../vocabularies/vocabulary.model.js';
import { assertCodes } from '../vocabularies/vocabulary.service.js';
import { Solicitation, SOLICITATION_STATUS_LABELS, SOLICITATION_STATUSES, type SolicitationRecord } from './solicitation.model.js';
import type { PublicSolicitationInput, SolicitationCreateInput, SolicitationFilter, SolicitationUpdateInput } from './solicitation.schemas.js';
import { isPlainName, mayMailFromPublicForm } from '../delivery/public-mail.js';

type Refs = Pick<SolicitationCreateInput, 'channel' | 'requesterType' | 'type' | 'themes' | 'territory' | 'assignee' | 'requester'>;

async function checkReferences(input: Partial<Refs>): Promise<void> {
  if (input.channel) await assertCodes('solicitationChannels', [input.channel], 'channel');
  if (input.requesterType) await assertCodes('requesterTypes', [input.requesterType], 'requesterType');
  if (input.type) await assertCodes('solicitationTypes', [input.type], 'type');
  if (input.territory && !getTerritory(input.territory)) throw badRequest(`Territoire inconnu « ${input.territory} ».`, 'territory');
  if (input.themes?.length && (await Theme.countDocuments({ _id: { $in: input.themes } })) !== new Set(input.themes).size) {
    throw badRequest('Thème inconnu dans la liste.', 'themes');
  }
  if (input.assignee && !(await User.exists({ _id: input.assignee }))) throw badRequest('Membre de l’équipe introuvable.', 'assignee');
  if (input.requester && !(await contactExists(input.requester))) throw badRequest('Contact introuvable.', 'requester');
}

/** The requester: the given contact, or the contact with this address, created when unknown. */
async function resolveRequester(input: SolicitationCreateInput, actor?: Actor): Promise<string | undefined> {
  if (input.requester) return input.requester;
  if (!input.requesterEmail) return undefined;
  const { contact } = await findOrCreateContactByEmail(
    { email: input.requesterEmail, firstName: input.requesterFirstName, lastName: input.requesterLastName, source: 'sollicitation' },
    actor,
    { actor, via: 'solicitation' },
  );
  return String(contact._id);
}

/** Kept on the solicitation itself when the requester gave no address (a phone call): no contact is created. */
function callerWithoutEmail(input: Pick<SolicitationCreateInput, 'requesterFirstName' | 'requesterLastName' | 'requesterPhone'>) {
  return stripNulls({ requesterFirstName: input.requesterFirstName || undefined, requesterLastName: input.requesterLastName || undefined, requesterPhone: input.requesterPhone || undefined });
}

/** Dates that follow the status: answered → answeredAt, closed → closedAt (unless given). */
function statusDates(status: string, previous: { answeredAt?: Date | null; closedAt?: Date | null }, now: Date) {
  const dates: { answeredAt?: Date; closedAt?: Date } = {};
  if (status === 'answered' && !previous.answeredAt) dates.answeredAt = now;
  if (status === 'closed' && !previous.closedAt) dates.closedAt = now;
  return dates;
}

/** The next `S-2026-0042` of the year the request was received (Paris time). */
export async function newReference(receivedAt: Date): Promise<string> {
  const year = Number(receivedAt.toLocaleString('fr-FR', { timeZone: 'Europe/Paris', year: 'numeric' }));
  const n = await nextCounterValue(`solicitation-${year}`);
  return `S-${year}-${String(n).padStart(4, '0')}`;
}

export function solicitationDir(dataDir: string, id: string): string {
  return path.join(dataDir, 'solicitations', id);
}

/**
 * The contact who wrote from this address (any of their addresses), created with source
 * "sollicitation" when unknown; undefined for an address erased at its owner's request.
 */
export async function requesterFromAddress(email: string, displayName: string | undefined, at: Date) {
  const [firstName, ...rest] = (displayName ?? '').replace(/["']/g, '').trim().split(/\s+/);
  let contact;
  try {
    ({ contact } = await findOrCreateContactByEmail({ email, firstName: rest.length ? firstName : undefined, lastName: rest.length ? rest.join(' ') : firstName || undefined, source: 'sollicitation' }, undefined, { via: 'solicitation' }));
  } catch (error) {
    if (error instanceof AppError && error.code === 'erased') return undefined;
    throw error;
  }
  const organisation = contact.organisations?.length ? await Organisation.findById(contact.organisations[0], { name: 1, territory: 1 }).lean() : null;
  return {
    id: contact._id,
    isMember: await isContactMemberAt(String(contact._id), at),
    organisationName: organisation?.name,
    territory: contact.territories?.[0] ?? organisation?.territory,
  };
}

export async function createSolicitation(input: SolicitationCreateInput, actor?: Actor, options: { source?: 'staff' | 'form'; now?: Date } = {}) {
  const now = options.now ?? new Date();
  await checkReferences(input);
  const requester = await resolveRequester(input, actor);
  const receivedAt = input.receivedAt ?? now;
  const status = input.status ?? 'new';
  const { requesterEmail: _e, requesterFirstName, requesterLastName, requesterPhone, ...fields } = input;
  const solicitation = await Solicitation.create({
    ...stripNulls(fields),
    reference: await newReference(receivedAt),
    ...(requester ? {} : callerWithoutEmail({ requesterFirstName, requesterLastName, requesterPhone })),
    requester,
    receivedAt,
    status,
    ...statusDates(status, { answeredAt: input.answeredAt, closedAt: input.closedAt }, now),
    isMember: requester ? await isContactMemberAt(requester, receivedAt) : false,
    source: options.source ?? 'staff',
    createdBy: actor?.id,
    updatedBy: actor?.id,
  });
  return getSolicitation(String(solicitation._id));
}

export async function updateSolicitation(id: string, input: SolicitationUpdateInput, actor: Actor, now = new Date()) {
  const current = await Solicitation.findById(id);
  if (!current) throw notFound('Sollicitation');
  await checkReferences(input);
  const known = Object.keys(solicitationWritable).filter((key) => (input as Record<string, unknown>)[key] !== undefined);
  const changes: Record<string, unknown> = Object.fromEntries(known.map((key) => [key, (input as Record<string, unknown>)[key]]));
  if (input.requesterEmail && !input.requester) changes.requester = await resolveRequester({ ...input, channel: current.channel } as SolicitationCreateInput, actor);
  if (input.status && input.status !== current.status) Object.assign(changes, statusDates(input.status, current, now), pick(input, ['answeredAt', 'closedAt']));
  current.set({ ...changes, updatedBy: actor.id });
  for (const [key, value] of Object.entries(changes)) if (value === null) current.set(key, undefined);
  if (changes.requester !== undefined || changes.receivedAt !== undefined) {
    current.isMember = current.requester ? await isContactMemberAt(String(current.requester), current.receivedAt) : false;
  }
  await current.save();
  return getSolicitation(id);
}

const solicitationWritable = {
  receivedAt: 1, channel: 1, requester: 1, requesterFirstName: 1, requesterLastName: 1, requesterPhone: 1, requesterType: 1, organisationName: 1, type: 1, subject: 1, message: 1, themes: 1,
  territory: 1, status: 1, assignee: 1, timeSpentMinutes: 1, answer: 1, answeredAt: 1, closedAt: 1,
} as const;

function pick<T extends object>(input: T, keys: Array<keyof T>): Partial<T> {
  return Object.fromEntries(keys.filter((k) => input[k] !== undefined).map((k) => [k, input[k]])) as Partial<T>;
}

function stripNulls<T extends object>(input: T): Partial<T> {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== null && v !== undefined)) as Partial<T>;
}

export async function getSolicitation(id: string) {
  const solicitation = await Solicitation.findById(id).lean();
  if (!solicitation) throw notFound('Sollicitation');
  return (await describe([solicitation]))[0];
}

export async function deleteSolicitation(id: string) {
  const solicitation = await Solicitation.findByIdAndDelete(id).lean();
  if (!solicitation) throw notFound('Sollicitation');
  return withId(solicitation);
}

function solicitationWhere(filter: SolicitationFilter): Record<string, unknown> {
  const where: Record<string, unknown> = {};
  if (filter.status) where.status = Array.isArray(filter.status) ? { $in: filter.status } : filter.status;
  for (const key of ['type', 'requesterType', 'channel', 'isMember', 'assignee', 'requester'] as const) {
    if (filter[key] !== undefined) where[key] = filter[key];
  }
  if (filter.year) {
    const { start, end } = parisYearRange(filter.year);
    where.receivedAt = { $gte: start, $lt: end };
  }
  if (filter.q) {
    const text = new RegExp(escapeRegExp(filter.q), 'i');
    where.$or = ['subject', 'organisationName', 'requesterLastName', 'requesterPhone'].map((field) => ({ [field]: text }));
  }
  if (filter.id) where._id = { $in: filter.id };
  return where;
}

export async function listSolicitations(query: ListQuery<SolicitationFilter>) {
  const where = solicitationWhere(query.filter);
  const [items, total] = await Promise.all([
    Solicitation.find(where).sort({ [query.sort.field]: query.sort.order, ...(query.sort.field === 'unread' ? { receivedAt: -1 } : {}), _id: -1 }).skip(query.skip).limit(query.limit).lean(),
    Solicitation.countDocuments(where),
  ]);
  return { items: await describe(items), total };
}

/** The staff's work list: how many solicitations are in each status (optionally within a year). */
export async function countByStatus(year?: number) {
  const where = year ? solicitationWhere({ year }) : {};
  const rows = await Solicitation.aggregate<{ _id: string; count: number }>([{ $match: where }, { $group: { _id: '$status', count: { $sum: 1 } } }]);
  const counts = new Map(rows.map((row) => [row._id, row.count]));
  return SOLICITATION_STATUSES.map((status) => ({ status, label: SOLICITATION_STATUS_LABELS[status], count: counts.get(status) ?? 0 }));
}

async function describe(items: Array<SolicitationRecord & { createdAt?: Date }>) {
  const requesters = new Map(
    (await readContacts(items.map((s) => s.requester), { firstName: 1, lastName: 1, email: 1 })).map((c) => [String(c._id), c]),
  );
  return items.map((s) => {
    const requester = s.requester ? requesters.get(String(s.requester)) : undefined;
    return {
      ...withId(s),
      requesterName: requester ? contactName(requester) : [s.requesterFirstName, s.requesterLastName].filter(Boolean).join(' '),
      requesterEmail: requester?.email,
      statusLabel: SOLICITATION_STATUS_LABELS[s.status as keyof typeof SOLICITATION_STATUS_LABELS],
    };
  });
}

/**
 * A request from the public form: the requester is matched or created by e-mail, the
 * solicitation is "nouvelle", and an acknowledgment is e-mailed. The answer is the same
 * whether the address was known or not.
 */
export async function receivePublicSolicitation(ctx: Pick<AppContext, 'config' | 'logger'>, input: PublicSolicitationInput, now = new Date()) {
  const field = (name: keyof PublicSolicitationInput) => name;
  await assertCodes('solicitationTypes', [input.type], field('type'));
  if (input.requesterType) await assertCodes('requesterTypes', [input.requesterType], field('requesterType'));
  const territory = input.territory ? resolveTerritoryLabel(input.territory) : undefined;
  let requester: string | undefined;
  try {
    const { contact } = await findOrCreateContactByEmail(
      { email: input.email, firstName: input.firstName || undefined, lastName: input.lastName || undefined, source: 'sollicitation' },
      undefined,
      { via: 'solicitation-form' },
    );
    requester = String(contact._id);
  } catch (error) {
    // An address erased at its owner's request is not re-created by a form: the request is kept without it.
    if (!(error instanceof AppError && error.code === 'erased')) throw error;
  }
  const solicitation = await Solicitation.create({
    reference: await newReference(now),
    receivedAt: now,
    channel: 'formulaire',
    requester,
    requesterType: input.requesterType || undefined,
    organisationName: input.organisationName || undefined,
    type: input.type,
    message: input.message,
    territory: territory?.id,
    territoryLabel: territory ? undefined : input.territory || undefined,
    status: 'new',
    source: 'form',
    isMember: requester ? await isContactMemberAt(requester, now) : false,
  });
  if (requester) await acknowledge(ctx, input, solicitation.receivedAt).catch((error: unknown) => ctx.logger.warn({ err: error }, 'solicitation acknowledgment not sent'));
  return solicitation;
}

/** The acknowledgment never repeats the message: the form must not relay free text to any address. */
async function acknowledge(ctx: Pick<AppContext, 'config' | 'logger'>, input: PublicSolicitationInput, receivedAt: Date): Promise<void> {
  const contact = await findContactByEmail(input.email);
  const to = contact?.email ?? input.email.trim().toLowerCase();
  if (await isSuppressed(to)) return;
  if (!(await mayMailFromPublicForm(ctx, 'sollicitation', to))) return;
  const type = await Vocabulary.findOne({ kind: 'solicitationTypes', code: input.type }).lean();
  const email = await renderEmail(
    'solicitation-acknowledgement',
    {
      greetingName: contact && isPlainName(contactName(contact)) ? contactName(contact) : input.email,
      receivedAt,
      typeLabel: type?.label ?? input.type,
    },
    ctx.config,
  );
  await sendTransactional(ctx, { to, ...email });
}
