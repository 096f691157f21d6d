/**
 * bench/report: the yearly activity report over 100,000 contacts, 5,000 solicitations (two
 * years), 300 memberships, 5,000 subscriptions and 500 news items. Prints the time of each
 * run and peak RSS. Target: < 5 s per report. The first run includes loading the contacts'
 * in-memory index (done once per process, at start-up in the app); the next runs are what a
 * user of the running app waits for.
 *
 *   npx tsx bench/report/run.ts [--contacts 100000] [--solicitations 5000] [--subscriptions 5000] [--runs 4]
 *   (MONGODB_URI=... to use an existing server instead of a fresh FerretDB)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mongoose, { Types } from 'mongoose';
import { loadReferenceData } from '../../fixtures/index.js';
import { forgetContactIndex } from '../../server/contacts/contact.index.js';
import { connectDatabase, disconnectDatabase } from '../../server/lib/db.js';
import { startFerretdb } from '../../server/lib/ferretdb.js';
import { List } from '../../server/lists/list.model.js';
import { reportToMarkdown } from '../../server/reports/report.format.js';
import { activityReport } from '../../server/reports/report.service.js';
import { Theme } from '../../server/themes/theme.model.js';
import { Vocabulary, type VocabularyKind } from '../../server/vocabularies/vocabulary.model.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const CONTACTS = arg('contacts', 100_000);
const SOLICITATIONS = arg('solicitations', 5_000);
const RUNS = arg('runs', 4);
/** About twice today's lists (2,100 + 900 + members). */
const SUBSCRIPTIONS = arg('subscriptions', 5_000);
const YEAR = 2025;

const peakRssMiB = () => Math.round(process.resourceUsage().maxRSS / 1024);
const pick = <T>(items: readonly T[], i: number) => items[i % items.length];
const dayOf = (year: number, i: number) => new Date(Date.UTC(year, 0, 1) + ((i * 7919) % (365 * 86_400)) * 1000 * 0.999);

async function insertInBatches(collection: string, count: number, make: (i: number) => Record<string, unknown>) {
  const db = mongoose.connection.db!;
  for (let start = 0; start < count; start += 5000) {
    const docs = Array.from({ length: Math.min(5000, count - start) }, (_, k) => make(start + k));
    await db.collection(collection).insertMany(docs, { ordered: false });
  }
}

async function seed() {
  const themes = (await Theme.find({}, { _id: 1 }).lean()).map((t) => t._id);
  const codes = async (kind: VocabularyKind) => (await Vocabulary.find({ kind }, { code: 1 }).lean()).map((v) => v.code);
  const [orgTypes, types, requesterTypes, channels] = await Promise.all([codes('organisationTypes'), codes('solicitationTypes'), codes('requesterTypes'), codes('solicitationChannels')]);
  const territories = ['departement-93', 'commune-93066', 'region-84', 'departement-13', 'commune-69123'];
  await insertInBatches('contacts', CONTACTS, (i) => ({
    email: `bench-${i}@contacts.example`,
    firstName: `Prénom${i}`,
    lastName: `Nom${i}`,
    emails: [],
    phones: [],
    organisations: [],
    themes: i % 4 ? [pick(themes, i)] : [],
    territories: i % 3 ? [pick(territories, i)] : [],
    territoryScope: i % 3 ? [pick(territories, i)] : [],
    organisationTypes: [pick(orgTypes, i)],
    searchText: `prenom${i} nom${i} bench ${i} contacts example`,
    sortName: `nom${i} prenom${i}`,
    createdAt: dayOf(i % 5 ? YEAR - 1 - (i % 3) : YEAR, i),
    updatedAt: new Date(),
  }));
  await insertInBatches('solicitations', SOLICITATIONS, (i) => {
    const receivedAt = dayOf(i % 2 ? YEAR : YEAR - 1, i);
    return {
      receivedAt,
      channel: pick(channels, i),
      requester: new Types.ObjectId(),
      requesterType: pick(requesterTypes, i * 3),
      type: pick(types, i),
      isMember: i % 7 === 0,
      themes: [],
      status: 'answered',
      answeredAt: new Date(receivedAt.getTime() + (i % 10) * 86_400_000),
      timeSpentMinutes: 15 + (i % 60),
      source: 'staff',
    };
  });
  const organisations = await mongoose.connection.db!.collection('organisations').insertMany(
    Array.from({ length: 200 }, (_, i) => ({ name: `Organisation ${i}`, type: pick(orgTypes, i), territoryScope: [], notes: '', searchText: '' })),
  );
  const orgIds = Object.values(organisations.insertedIds);
  await insertInBatches('memberships', 300, (i) => ({
    ...(i < 200 ? { organisation: orgIds[i], memberKey: `organisation:${orgIds[i]}` } : { contact: new Types.ObjectId(), memberKey: `contact:${i}` }),
    year: i % 2 ? YEAR : YEAR - 1,
    category: i < 200 ? 'association' : 'personne-physique',
    fee: i < 200 ? 100 : 30,
    paymentStatus: i % 10 ? 'paid' : 'due',
    boardRoles: [],
  }));
  const lists = (await List.find({}, { _id: 1 }).lean()).map((l) => l._id);
  await insertInBatches('subscriptions', SUBSCRIPTIONS, (i) => {
    const joined = dayOf(YEAR - (i % 3), i);
    return {
      contact: new Types.ObjectId(),
      list: pick(lists, i),
      status: i % 11 ? 'subscribed' : 'unsubscribed',
      source: 'form',
      consent: { at: joined, source: 'form', confirmedAt: joined, wording: '' },
      ...(i % 11 ? {} : { unsubscribedAt: new Date(joined.getTime() + 30 * 86_400_000) }),
      createdAt: joined,
      updatedAt: joined,
    };
  });
  const categories = (await Vocabulary.find({ kind: 'newsCategories' }, { _id: 1 }).lean()).map((v) => v._id);
  await insertInBatches('news', 500, (i) => ({ title: `Actualité ${i}`, publishedAt: dayOf(YEAR, i), category: pick(categories, i), guid: `bench-report-${i}`, themes: [], territories: [] }));
}

const dataDir = process.env.MONGODB_URI ? undefined : mkdtempSync(path.join(os.tmpdir(), 'maillage-bench-report-'));
const ferretdb = dataDir ? await startFerretdb({ storage: { kind: 'sqlite', dir: dataDir } }) : undefined;
try {
  await connectDatabase(process.env.MONGODB_URI ?? ferretdb!.uri);
  await loadReferenceData();
  const seeding = Date.now();
  await seed();
  console.log(`seeded ${CONTACTS} contacts, ${SOLICITATIONS} solicitations, 300 memberships, ${SUBSCRIPTIONS} subscriptions, 500 news in ${((Date.now() - seeding) / 1000).toFixed(1)} s`);
  const times: number[] = [];
  let report: Awaited<ReturnType<typeof activityReport>> | undefined;
  for (let run = 0; run < RUNS; run++) {
    const start = process.hrtime.bigint();
    report = await activityReport(YEAR);
    const markdown = reportToMarkdown(report);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (run === 0) console.log(`report ${YEAR}: ${report.contacts.total} contacts, ${report.solicitations.total} solicitations, ${report.members.total} members; Markdown ${markdown.length} characters`);
  }
  const warm = times.slice(1).sort((a, b) => a - b);
  console.log(`activity report: first run (loads the contacts' index) ${Math.round(times[0])} ms; then ${times.slice(1).map((t) => `${Math.round(t)} ms`).join(', ')}; median of those ${Math.round(warm[Math.floor(warm.length / 2)] ?? NaN)} ms (target < 5000 ms)`);
  // `npm run report` in a new process: the contacts' index comes from its stored copy (written
  // in the background after the first full read above).
  const manifest = () => mongoose.connection.db!.collection('contact_index_snapshots').findOne({ _id: 'manifest' as never });
  for (const deadline = Date.now() + 120_000; !(await manifest()) && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 200));
  forgetContactIndex();
  const restart = process.hrtime.bigint();
  reportToMarkdown(await activityReport(YEAR));
  console.log(`first report of a new process, the index read from its stored copy: ${Math.round(Number(process.hrtime.bigint() - restart) / 1e6)} ms (target < 5000 ms)`);
  console.log(`peak RSS ${peakRssMiB()} MiB`);
} finally {
  await disconnectDatabase();
  await ferretdb?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}
