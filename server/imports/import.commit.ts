import { Types } from 'mongoose';
import { contactIdsOfOrganisation, deleteContacts, insertContacts, newContactDefaults, newContactIds, readContacts, updateContacts, type Change, type ContactUpdate } from '../contacts/contact.store.js';
import { deriveContactFields } from '../contacts/contact.service.js';
import { List } from '../lists/list.model.js';
import { Organisation } from '../organisations/organisation.model.js';
import { deleteOrganisation } from '../organisations/organisation.service.js';
import { Subscription } from '../subscriptions/subscription.model.js';
import type { Actor } from '../users/user.service.js';
import { letIoInEvery, type BatchResult, type Issue } from './import.engine.js';
import { ImportBatch } from './import.model.js';
import { IMPORTED_FIELDS, sameValue, snapshot, type FieldValues, type ImportedField, type LinePlan } from './import.plan.js';
import type { Resolver } from './import.rows.js';

/**
 * Preparing one planned batch (its documents, built while the previous batch is still being
 * written when nothing ties them), writing it, and reverting one. A batch's journal (what it created, each
 * updated contact's fields before and after) is written before its contacts, so a batch is
 * either fully done or fully revertible: undo replays journals backwards, and a commit
 * resumed after a crash reverts the batches written since its cursor was last saved before redoing them.
 */
export type CommitContext = { importId: Types.ObjectId; actor?: Actor; resolver: Resolver; subscribeList?: Types.ObjectId | null };
export type KeptContact = { contact: string; email: string; line: number; fields: string[]; reason: string };
export type RevertReport = { deleted: number; restored: number; kept: KeptContact[] };

type ContactDoc = Record<string, unknown> & { _id: Types.ObjectId };

type OrganisationFacts = { _id: Types.ObjectId; name: string; type: string };

/** The searchable and filterable fields, through the contacts feature's one rule for them. */
async function withDerived(doc: ContactDoc, organisations?: OrganisationFacts[]): Promise<ContactDoc> {
  return (await deriveContactFields(doc as ContactDoc & { email: string }, organisations)) as ContactDoc;
}

/** The organisations of a batch's contacts, read once for the whole batch. */
async function organisationFacts(docs: FieldValues[]): Promise<OrganisationFacts[]> {
  const ids = [...new Set(docs.flatMap((d) => ((d.organisations as unknown[] | undefined) ?? []).map(String)))];
  return ids.length ? Organisation.find({ _id: { $in: ids } }, { name: 1, type: 1 }).lean<OrganisationFacts[]>() : [];
}

/** What a batch will write, computed before its turn comes (see forEachBatch). */
export type PreparedBatch = Awaited<ReturnType<typeof prepareBatch>>;

/** The batch's new organisations, contact documents, updates and subscriptions; writes only organisations. */
export async function prepareBatch(batch: BatchResult, ctx: CommitContext) {
  const at = new Date();
  const actorId = ctx.actor ? new Types.ObjectId(ctx.actor.id) : undefined;
  const all = [...batch.plans, ...batch.laterDuplicates];
  const organisations: Types.ObjectId[] = []; // created before the first batch (import.entries.ts)
  const planned = batch.plans.filter((p) => p.action === 'create');
  const ids = newContactIds(planned.length);
  const creates = planned.map((plan, i) => ({ plan, id: ids[i] }));
  const updates = all.filter((p): p is UpdatePlan => p.action === 'update');
  const subscriptions = await plannedSubscriptions(all, creates, ctx);
  return { at, organisations, creates, updates, subscriptions, ...(await contactWrites(creates, updates, at, actorId)) };
}

/** Writes a prepared batch: its journal first, then the contacts, the index log and the subscriptions. */
export async function writeBatch(batch: BatchResult, prepared: PreparedBatch, ctx: CommitContext): Promise<{ journal: Types.ObjectId; issues: Issue[]; subscribed: number }> {
  const { at, organisations, creates, updates, subscriptions, docs, operations } = prepared;
  // Written raw: Mongoose casting the journal of a batch cost as much as writing it.
  const journal = {
    _id: new Types.ObjectId(),
    import: ctx.importId,
    index: batch.index,
    at,
    state: 'written',
    created: { contacts: creates.map((c) => c.id), emails: creates.map((c) => c.plan.email), lines: creates.map((c) => c.plan.line) },
    updated: updates.map((plan) => ({
      contact: plan.contact._id,
      email: plan.email,
      line: plan.line,
      before: { ...snapshot(plan.contact, plan.changes), updatedAt: plan.contact.updatedAt ?? null, updatedBy: (plan.contact as FieldValues & { updatedBy?: unknown }).updatedBy ?? null },
      after: snapshot(plan.set, plan.changes),
    })),
    subscriptions: subscriptions.docs.map((s) => s._id),
    organisations,
  };
  await ImportBatch.collection.insertOne(journal);
  const change = importChange(ctx);
  if (docs.length) {
    await insertContacts(docs, change);
    for (const { plan, id } of creates) batch.addresses.add(plan.email, String(id));
  }
  const matched = await updateContacts(operations, change);
  if (matched < operations.length) {
    // a contact deleted since it was planned: the store's log makes the next attempt read it from the database
    throw new Error('Des contacts ont été supprimés pendant l’import : relancez la validation, les lignes concernées seront recréées.');
  }
  if (subscriptions.docs.length) await Subscription.insertMany(subscriptions.docs, { ordered: false });
  return { journal: journal._id, issues: subscriptions.issues, subscribed: subscriptions.docs.length };
}

type UpdatePlan = Extract<LinePlan, { action: 'update' }>;

/** Through what an import's writes come, in the contacts' history. */
const importChange = (ctx: CommitContext): Change => ({ actor: ctx.actor, via: `import:${ctx.importId}` });

/** The batch's new contacts as documents, and its updates with each contact's previous values. */
async function contactWrites(creates: { plan: LinePlan; id: Types.ObjectId }[], updates: UpdatePlan[], at: Date, actorId?: Types.ObjectId) {
  const facts = await organisationFacts([...creates.map((c) => c.plan.values), ...updates.map((u) => ({ ...u.contact, ...u.set }))]);
  const docs: ContactDoc[] = [];
  for (const [i, { plan, id }] of creates.entries()) {
    await letIoInEvery(i);
    const doc = Object.assign(newContactDefaults(), castIds(contactFields(plan)), { _id: id, email: plan.email, source: 'import', createdBy: actorId, updatedBy: actorId, createdAt: at, updatedAt: at });
    docs.push(await withDerived(doc, facts));
  }
  const operations: ContactUpdate[] = [];
  for (const plan of updates) {
    const derived = pickDerived(await withDerived({ ...(plan.contact as ContactDoc), ...castIds(plan.set) }, facts));
    operations.push({ before: plan.contact as ContactDoc, $set: { ...castIds(plan.set), ...derived, updatedAt: at, updatedBy: actorId } });
  }
  return { docs, operations };
}

/** Ids as ObjectIds, as the model stores them (the raw driver does not cast). */
function castIds(set: FieldValues): FieldValues {
  const out = { ...set };
  for (const field of ['organisations', 'themes'] as const) {
    if (out[field]) out[field] = (out[field] as unknown[]).map((id) => new Types.ObjectId(String(id)));
  }
  return out;
}

const DERIVED = ['searchTokens', 'territoryScope', 'organisationTypes', 'sortName'];
const pickDerived = (doc: ContactDoc) => Object.fromEntries(DERIVED.filter((key) => key in doc).map((key) => [key, doc[key]]));


function contactFields(plan: LinePlan): FieldValues {
  const fields: FieldValues = {};
  for (const field of IMPORTED_FIELDS) if (plan.values[field] !== undefined) fields[field] = plan.values[field];
  return fields;
}

/**
 * Subscriptions, only to the list the user asked for and the lists a "Listes" column names,
 * AND when the row carries consent proof (Mailchimp's OPTIN_TIME/CONFIRM_TIME): the proof
 * becomes the subscription's consent record (opt-in IP and confirmation IP each kept as such).
 * Existing subscriptions are never touched (an unsubscription stays one). The dry run counts
 * the same plan.
 */
export async function plannedSubscriptions(plans: LinePlan[], creates: { plan: LinePlan; id: Types.ObjectId }[], ctx: { subscribeList?: Types.ObjectId | null; actor?: Actor }) {
  const issues: Issue[] = [];
  const docs: Array<Record<string, unknown> & { _id: Types.ObjectId; list: Types.ObjectId }> = [];
  const listsOf = (plan: LinePlan) => [...new Set([...(ctx.subscribeList ? [String(ctx.subscribeList)] : []), ...plan.values.lists])];
  const wanted = [...new Set(plans.flatMap(listsOf))];
  if (!wanted.length) return { issues, docs };
  const lists = new Map((await List.find({ _id: { $in: wanted } }).lean()).map((l) => [String(l._id), l]));
  const createdIds = new Map(creates.map(({ plan, id }) => [plan, id]));
  const contactOf = (plan: LinePlan) => (plan.action === 'create' ? createdIds.get(plan)! : (plan.contact._id as Types.ObjectId));
  const known = plans.filter((plan) => plan.action !== 'create').map(contactOf); // a new contact has no subscription yet
  const taken = new Set(
    known.length ? (await Subscription.find({ list: { $in: wanted }, contact: { $in: known } }, { contact: 1, list: 1 }).lean()).map((s) => `${s.contact}:${s.list}`) : [],
  );
  for (const plan of plans) {
    const contact = contactOf(plan);
    for (const list of listsOf(plan).map((id) => lists.get(id)).filter((l) => l !== undefined)) {
      const key = `${contact}:${list._id}`;
      if (taken.has(key)) continue;
      const consent = plan.values.consent;
      const at = consent?.at ?? consent?.confirmedAt;
      if (!at) {
        issues.push({ line: plan.line, row: plan.row.row, kind: 'notice', reason: `Pas d’abonnement à « ${list.name} » : aucune preuve de consentement sur cette ligne.`, cells: plan.row.cells });
        continue;
      }
      taken.add(key);
      docs.push({
        _id: new Types.ObjectId(),
        contact,
        list: list._id,
        status: 'subscribed',
        source: 'import',
        consent: { at, source: 'import', ip: consent?.ip, wording: list.consentWording, confirmedAt: consent?.confirmedAt, confirmedIp: consent?.confirmedIp },
        createdBy: ctx.actor?.id,
      });
    }
  }
  return { issues, docs };
}

/** Reverts a batch from its journal: contacts edited since the import are kept and reported. */
export async function revertBatch(journal: InstanceType<typeof ImportBatch>): Promise<RevertReport> {
  const report: RevertReport = { deleted: 0, restored: 0, kept: [] };
  const at = journal.at.getTime();
  if (journal.subscriptions.length) {
    // A subscription someone changed since (unsubscribed, bounced) is history: it stays.
    await Subscription.deleteMany({ _id: { $in: journal.subscriptions }, status: 'subscribed', source: 'import' });
  }
  const updatedIds = journal.updated.map((u) => u.contact);
  const current = new Map((await readContacts(updatedIds)).map((c) => [String(c._id), c as unknown as ContactDoc]));
  const operations: ContactUpdate[] = [];
  for (const entry of [...journal.updated].reverse()) {
    const contact = current.get(String(entry.contact));
    const before = entry.before as FieldValues & { updatedAt?: Date | null; updatedBy?: unknown };
    const after = entry.after as FieldValues;
    const fields = Object.keys(after) as ImportedField[];
    if (!contact) {
      report.kept.push({ contact: String(entry.contact), email: entry.email!, line: entry.line!, fields, reason: 'Contact supprimé depuis l’import.' });
      continue;
    }
    const untouched = (contact.updatedAt as Date | undefined)?.getTime() === at;
    const restorable = untouched ? fields : fields.filter((f) => sameValue(contact[f], after[f]));
    const edited = fields.filter((f) => !restorable.includes(f));
    if (edited.length) {
      report.kept.push({ contact: String(entry.contact), email: entry.email!, line: entry.line!, fields: edited, reason: 'Modifié depuis l’import : valeurs actuelles conservées.' });
    }
    if (!restorable.length) continue;
    const $set: Record<string, unknown> = {};
    const $unset: Record<string, ''> = {};
    const restored: ContactDoc = { ...contact };
    for (const field of restorable) {
      if (before[field] === null || before[field] === undefined) {
        $unset[field] = '';
        delete restored[field];
      } else {
        $set[field] = castIds({ [field]: before[field] })[field];
        restored[field] = $set[field];
      }
    }
    Object.assign($set, pickDerived(await withDerived(restored)));
    if (untouched) {
      $set.updatedAt = before.updatedAt ?? undefined;
      $set.updatedBy = before.updatedBy ?? undefined;
    }
    operations.push({ before: contact, $set, $unset });
    report.restored++;
  }
  const change: Change = { via: `import-undo:${journal.import}` };
  await updateContacts(operations, change);

  const { contacts: createdIds, emails, lines } = journal.created!;
  const created = await readContacts(createdIds, { updatedAt: 1 });
  const removable = created.filter((c) => (c.updatedAt as Date | undefined)?.getTime() === at).map((c) => c._id);
  for (const c of created) {
    if ((c.updatedAt as Date | undefined)?.getTime() === at) continue;
    const i = createdIds.findIndex((id) => String(id) === String(c._id));
    report.kept.push({ contact: String(c._id), email: emails[i], line: lines[i], fields: [], reason: 'Créé par l’import puis modifié : conservé.' });
  }
  if (removable.length) {
    await Subscription.deleteMany({ contact: { $in: removable } });
    await deleteContacts(removable, change);
    report.deleted += removable.length;
  }
  for (const id of journal.organisations) {
    if (!(await contactIdsOfOrganisation(id)).length) await deleteOrganisation(String(id)).catch(() => undefined);
  }
  return report;
}
