import { Types } from 'mongoose';
import { contactExists, readContact, readContacts } from '../contacts/contact.store.js';
import { AppError, badRequest, conflict, notFound } from '../lib/errors.js';
import type { ListQuery } from '../lib/rest.js';
import { claimOnce, isDuplicateKey, withId } from '../lib/db.js';
import { Organisation } from '../organisations/organisation.model.js';
import { parisYear } from '../lib/paris-time.js';
import type { Actor } from '../users/user.service.js';
import { assertCodes } from '../vocabularies/vocabulary.service.js';
import { countsAsMember, memberOf, memberStateFrom, type MemberState } from './member-state.js';
import { Counter, FeeSchedule, Membership, type MembershipRecord, type PaymentMethod } from './membership.model.js';
import type { FeeScheduleInput, MembershipCreateInput, MembershipFilter, MembershipUpdateInput, PaymentInput } from './membership.schemas.js';

type LeanMembership = MembershipRecord & { createdAt?: Date; updatedAt?: Date };

// ---------- fee schedules ----------

const defaultReminderDates = (year: number) => [`${year}-01-15`, `${year}-03-15`];

async function checkFees(fees: FeeScheduleInput['fees']): Promise<void> {
  const seen = new Set<string>();
  for (const [index, fee] of fees.entries()) {
    if (seen.has(fee.category)) throw badRequest(`La catégorie « ${fee.category} » apparaît deux fois dans le barème.`, `fees.${index}.category`);
    seen.add(fee.category);
  }
  await assertCodes('membershipCategories', [...seen], 'fees');
}

function checkReminderDates(year: number, dates: readonly string[]): void {
  for (const [index, day] of dates.entries()) {
    const parsed = new Date(`${day}T12:00:00Z`);
    if (Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== day) {
      throw badRequest(`Date de relance invalide : « ${day} ».`, `reminderDates.${index}`);
    }
    if (Number(day.slice(0, 4)) !== year) throw badRequest(`La relance du ${day} n'est pas dans l'année ${year}.`, `reminderDates.${index}`);
  }
}

export async function createFeeSchedule(input: FeeScheduleInput) {
  await checkFees(input.fees);
  const reminderDates = input.reminderDates ?? defaultReminderDates(input.year);
  checkReminderDates(input.year, reminderDates);
  if (await FeeSchedule.exists({ year: input.year })) throw conflict(`Un barème existe déjà pour ${input.year}.`, 'year');
  return FeeSchedule.create({ ...input, reminderDates });
}

export async function updateFeeSchedule(id: string, input: Partial<FeeScheduleInput>) {
  const schedule = await FeeSchedule.findById(id);
  if (!schedule) throw notFound('Barème');
  if (input.year !== undefined && input.year !== schedule.year) throw badRequest("L'année d'un barème ne change pas.", 'year');
  if (input.fees) await checkFees(input.fees);
  if (input.reminderDates) checkReminderDates(schedule.year, input.reminderDates);
  const { year: _year, ...changes } = input;
  schedule.set(changes);
  return schedule.save();
}

export async function getFeeSchedule(id: string) {
  const schedule = await FeeSchedule.findById(id);
  if (!schedule) throw notFound('Barème');
  return schedule;
}

export async function feeScheduleOfYear(year: number) {
  return FeeSchedule.findOne({ year }).lean();
}

export async function listFeeSchedules(query: ListQuery<{ year?: number; id?: string[] }>) {
  const where: Record<string, unknown> = {};
  if (query.filter.year !== undefined) where.year = query.filter.year;
  if (query.filter.id) where._id = { $in: query.filter.id };
  const [items, total] = await Promise.all([
    FeeSchedule.find(where).sort({ [query.sort.field]: query.sort.order }).skip(query.skip).limit(query.limit),
    FeeSchedule.countDocuments(where),
  ]);
  return { items, total };
}

export async function deleteFeeSchedule(id: string) {
  const schedule = await getFeeSchedule(id);
  if (await Membership.exists({ year: schedule.year })) {
    throw conflict(`Des adhésions ${schedule.year} suivent ce barème : il ne peut pas être supprimé.`, 'year');
  }
  await schedule.deleteOne();
  return schedule;
}

/** The fee of a category in the schedule of its year; no schedule, no membership nor payment. */
export async function feeFor(year: number, category: string): Promise<number> {
  const schedule = await feeScheduleOfYear(year);
  if (!schedule) throw badRequest(`Aucun barème de cotisation pour ${year} : créez d'abord le barème de l'année.`, 'year');
  const line = schedule.fees.find((fee) => fee.category === category);
  if (!line) throw badRequest(`La catégorie « ${category} » n'a pas de tarif dans le barème ${year}.`, 'category');
  return line.amount;
}

// ---------- certificate numbers ----------

/**
 * The next value of a named counter. The counter document holds the last value given, but
 * on FerretDB 1.24 `$inc` through findAndModify is not atomic (measured: 12 concurrent
 * payments got 4 distinct numbers), so each value is claimed once (`claimOnce`, a unique
 * insert): no number is given twice, even across processes; the counter document only says
 * where to start looking. Never max+1 over the memberships.
 */
export async function nextCounterValue(name: string): Promise<number> {
  for (let attempt = 0; attempt < 1000; attempt++) {
    const last = (await Counter.findById(name).lean())?.seq ?? 0;
    const candidate = last + 1;
    const mine = await claimOnce(`${name}:${candidate}`, Infinity);
    await moveCounterTo(name, candidate); // when someone else took it, the counter lags: push it forward
    if (mine) return candidate;
  }
  throw new Error(`counter ${name} could not be incremented`);
}

/** Moves the counter forward only (a slower writer never moves it back). */
async function moveCounterTo(name: string, value: number): Promise<void> {
  try {
    await Counter.updateOne({ _id: name, seq: { $lt: value } }, { $set: { seq: value } });
    if (!(await Counter.exists({ _id: name }))) await Counter.create({ _id: name, seq: value });
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
  }
}

export function formatCertificateNumber(year: number, number: number): string {
  return `${year}-${String(number).padStart(4, '0')}`;
}

/** Gives a paid membership its number, once; a concurrent second call may leave a gap, never a duplicate. */
export async function ensureCertificateNumber(id: Types.ObjectId | string): Promise<number | undefined> {
  const membership = await Membership.findById(id).lean();
  if (!membership || membership.paymentStatus !== 'paid') return undefined;
  if (membership.certificateNumber) return membership.certificateNumber;
  const number = await nextCounterValue(`certificate-${membership.year}`);
  const claimed = await Membership.updateOne({ _id: membership._id, certificateNumber: { $exists: false } }, { $set: { certificateNumber: number } });
  if (claimed.modifiedCount) return number;
  return (await Membership.findById(id).lean())?.certificateNumber ?? undefined;
}

// ---------- memberships ----------

async function checkMember(input: { organisation?: string; contact?: string; representative?: string | null }): Promise<string> {
  if (Boolean(input.organisation) === Boolean(input.contact)) {
    throw badRequest("Indiquez l'adhérent : une organisation (personne morale) ou un contact (personne physique), l'un ou l'autre.", 'organisation');
  }
  if (input.organisation && !(await Organisation.exists({ _id: input.organisation }))) throw badRequest('Organisation introuvable.', 'organisation');
  if (input.contact && !(await contactExists(input.contact))) throw badRequest('Contact introuvable.', 'contact');
  await checkRepresentative(Boolean(input.organisation), input.representative);
  return memberOf(input);
}

async function checkRepresentative(isOrganisation: boolean, representative: string | null | undefined): Promise<void> {
  if (!representative) return;
  if (!isOrganisation) throw badRequest('Seule une personne morale a un·e représentant·e.', 'representative');
  if (!(await contactExists(representative))) throw badRequest('Contact représentant introuvable.', 'representative');
}

function duplicateYear(year: number): AppError {
  return conflict(`Ce membre a déjà une adhésion pour ${year}.`, 'year');
}

/** Payment fields as they must be stored for a payment status (paid needs a schedule for its year). */
function paymentFields(status: string, input: { paidAt?: Date; paymentMethod?: PaymentMethod; paymentReference?: string }, now: Date) {
  if (status === 'paid') return { paidAt: input.paidAt ?? now, paymentMethod: input.paymentMethod, paymentReference: input.paymentReference };
  return { paidAt: undefined, paymentMethod: undefined, paymentReference: undefined };
}

export async function createMembership(input: MembershipCreateInput, actor: Actor, now = new Date()) {
  const memberKey = await checkMember(input);
  await assertCodes('membershipCategories', [input.category], 'category');
  await assertCodes('boardRoles', input.boardRoles ?? [], 'boardRoles');
  const scheduledFee = await feeFor(input.year, input.category);
  const member = input.organisation ? { organisation: input.organisation } : { contact: input.contact };
  if (await Membership.exists({ ...member, year: input.year })) throw duplicateYear(input.year);
  const status = input.paymentStatus ?? 'due';
  let membership: { _id: Types.ObjectId };
  try {
    membership = await Membership.create({
      ...input,
      representative: input.representative ?? undefined,
      memberKey,
      fee: input.fee ?? scheduledFee,
      paymentStatus: status,
      ...paymentFields(status, input, now),
      createdBy: actor.id,
      updatedBy: actor.id,
    });
  } catch (error) {
    if (isDuplicateKey(error)) throw duplicateYear(input.year);
    throw error;
  }
  if (status === 'paid') await ensureCertificateNumber(membership._id);
  return getMembership(String(membership._id), now);
}

export async function updateMembership(id: string, input: MembershipUpdateInput, actor: Actor, now = new Date()) {
  const current = await Membership.findById(id).lean();
  if (!current) throw notFound('Adhésion');
  const year = input.year ?? current.year;
  const category = input.category ?? current.category;
  if (input.category) await assertCodes('membershipCategories', [input.category], 'category');
  if (input.boardRoles) await assertCodes('boardRoles', input.boardRoles, 'boardRoles');
  if (input.representative !== undefined) await checkRepresentative(Boolean(current.organisation), input.representative);
  const status = input.paymentStatus ?? current.paymentStatus;
  const scheduleMatters = year !== current.year || category !== current.category || (status === 'paid' && current.paymentStatus !== 'paid');
  const scheduledFee = scheduleMatters ? await feeFor(year, category) : undefined;
  if (year !== current.year && (await Membership.exists({ memberKey: current.memberKey, year, _id: { $ne: current._id } }))) throw duplicateYear(year);

  const changes: Record<string, unknown> = { ...input, updatedBy: actor.id };
  if (input.fee === undefined && (year !== current.year || category !== current.category)) changes.fee = scheduledFee;
  if (input.representative === null) changes.representative = undefined;
  if (input.paymentStatus && input.paymentStatus !== current.paymentStatus) Object.assign(changes, paymentFields(status, input, now));
  const unset = Object.keys(changes).filter((key) => changes[key] === undefined);
  for (const key of unset) delete changes[key];
  try {
    await Membership.updateOne(
      { _id: current._id },
      { $set: changes, ...(unset.length ? { $unset: Object.fromEntries(unset.map((key) => [key, 1])) } : {}) },
      { runValidators: true },
    );
  } catch (error) {
    if (isDuplicateKey(error)) throw duplicateYear(year);
    throw error;
  }
  if (status === 'paid') await ensureCertificateNumber(current._id);
  return getMembership(id, now);
}

/** Records the payment of a membership (the schedule of its year must exist). */
export async function recordPayment(id: string, input: PaymentInput, actor: Actor, now = new Date()) {
  const current = await Membership.findById(id).lean();
  if (!current) throw notFound('Adhésion');
  await feeFor(current.year, current.category);
  await Membership.updateOne(
    { _id: current._id },
    {
      $set: {
        paymentStatus: 'paid',
        paidAt: input.paidAt ?? now,
        paymentMethod: input.paymentMethod,
        ...(input.paymentReference ? { paymentReference: input.paymentReference } : {}),
        updatedBy: actor.id,
      },
    },
  );
  await ensureCertificateNumber(current._id);
  return getMembership(id, now);
}

/** A membership that received a certificate number is kept: deleting it would leave a hole in the numbering. */
export async function deleteMembership(id: string) {
  const membership = await Membership.findById(id).lean();
  if (!membership) throw notFound('Adhésion');
  if (membership.certificateNumber) {
    throw conflict("Cette adhésion a reçu un numéro d'attestation et de reçu : elle ne peut pas être supprimée. Corrigez-la plutôt.", 'certificateNumber');
  }
  await Membership.deleteOne({ _id: membership._id });
  return withId(membership);
}

export async function getMembership(id: string, at = new Date()) {
  const membership = await Membership.findById(id).lean();
  if (!membership) throw notFound('Adhésion');
  return (await describeMemberships([membership], at))[0];
}

function membershipWhere(filter: MembershipFilter): Record<string, unknown> {
  const where: Record<string, unknown> = {};
  for (const key of ['year', 'paymentStatus', 'category', 'organisation', 'contact', 'representative'] as const) {
    if (filter[key] !== undefined) where[key] = filter[key];
  }
  if (filter.memberKind) where[filter.memberKind] = { $exists: true };
  if (filter.boardRole) where.boardRoles = filter.boardRole;
  if (filter.id) where._id = { $in: filter.id };
  return where;
}

export async function listMemberships(query: ListQuery<MembershipFilter>, at = new Date()) {
  const where = membershipWhere(query.filter);
  const [items, total] = await Promise.all([
    Membership.find(where).sort({ [query.sort.field]: query.sort.order, _id: 1 }).skip(query.skip).limit(query.limit).lean(),
    Membership.countDocuments(where),
  ]);
  return { items: await describeMemberships(items, at), total };
}

/** Adds what a reader needs beside the stored fields: member name and kind, state now, certificate number. */
async function describeMemberships(memberships: LeanMembership[], at: Date) {
  const names = await memberNames(memberships);
  const states = await memberStates(memberships.map((m) => memberOf(m)), at);
  return memberships.map((m) => ({
    ...withId(m),
    memberKind: m.organisation ? 'organisation' : 'contact',
    memberName: names.get(memberOf(m)) ?? '',
    state: states.get(memberOf(m)) ?? 'non-membre',
    certificate: m.certificateNumber ? formatCertificateNumber(m.year, m.certificateNumber) : undefined,
  }));
}

export function contactName(contact: { firstName?: string | null; lastName?: string | null; email?: string }): string {
  return [contact.firstName, contact.lastName].filter(Boolean).join(' ') || contact.email || '';
}

export async function memberNames(memberships: Array<{ organisation?: unknown; contact?: unknown }>): Promise<Map<string, string>> {
  const organisationIds = memberships.filter((m) => m.organisation).map((m) => m.organisation);
  const contactIds = memberships.filter((m) => !m.organisation).map((m) => m.contact);
  const [organisations, contacts] = await Promise.all([
    Organisation.find({ _id: { $in: organisationIds } }, { name: 1 }).lean(),
    readContacts(contactIds as string[], { firstName: 1, lastName: 1, email: 1 }),
  ]);
  return new Map([
    ...organisations.map((o) => [`organisation:${o._id}`, o.name] as [string, string]),
    ...contacts.map((c) => [`contact:${c._id}`, contactName(c)] as [string, string]),
  ]);
}

/** States of several members at one instant, in one query. */
export async function memberStates(memberKeys: readonly string[], at: Date): Promise<Map<string, MemberState>> {
  const ids = (kind: string) => memberKeys.filter((key) => key.startsWith(`${kind}:`)).map((key) => key.slice(kind.length + 1));
  const memberships = await Membership.find(
    { year: { $lte: parisYear(at) }, $or: [{ organisation: { $in: ids('organisation') } }, { contact: { $in: ids('contact') } }] },
    { organisation: 1, contact: 1, year: 1, paymentStatus: 1, paidAt: 1 },
  ).lean();
  const byMember = groupBy(memberships, (m) => memberOf(m));
  return new Map(memberKeys.map((key) => [key, memberStateFrom(byMember.get(key) ?? [], at)]));
}

export async function memberStateAt(member: { organisation?: string; contact?: string }, at: Date) {
  const key = member.organisation ? `organisation:${member.organisation}` : `contact:${member.contact}`;
  const state = (await memberStates([key], at)).get(key)!;
  return { member: key, at: at.toISOString(), state };
}

/**
 * Whether a contact counts as a member at an instant: as a natural-person member, as the
 * representative of a legal-person member, or through one of its organisations.
 */
export async function isContactMemberAt(contactId: string, at: Date): Promise<boolean> {
  const contact = await readContact(contactId, { organisations: 1 });
  if (!contact) return false;
  const year = parisYear(at);
  const represented = await Membership.find({ representative: contactId, year: { $in: [year - 1, year] } }, { organisation: 1 }).lean();
  const keys = [
    `contact:${contactId}`,
    ...contact.organisations.map((id) => `organisation:${id}`),
    ...represented.map((m) => `organisation:${m.organisation}`),
  ];
  const states = await memberStates([...new Set(keys)], at);
  return [...states.values()].some(countsAsMember);
}

/** The board of a year: who holds which roles, for which member. */
export async function boardOfYear(year: number) {
  const memberships = await Membership.find({ year, 'boardRoles.0': { $exists: true } }).lean();
  const names = await memberNames(memberships);
  const holderIds = memberships.map((m) => m.representative ?? m.contact).filter(Boolean);
  const holders = new Map((await readContacts(holderIds, { firstName: 1, lastName: 1, email: 1 })).map((c) => [String(c._id), c]));
  return memberships
    .map((m) => {
      const holder = holders.get(String(m.representative ?? m.contact));
      return {
        membership: String(m._id),
        contact: holder ? String(holder._id) : undefined,
        name: holder ? contactName(holder) : '',
        member: names.get(memberOf(m)) ?? '',
        memberKind: m.organisation ? 'organisation' : 'contact',
        roles: m.boardRoles,
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name, 'fr'));
}

export function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

