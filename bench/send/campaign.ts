/**
 * bench/send/campaign: a campaign ("Informations du réseau", legitimate interest) to the
 * contacts of a segment — 10,000 of a base of 100,000 — as staff send one: the audience is
 * evaluated (what the count before approval shows), frozen after approval by the preparation
 * job (deliveries, and a subscription for each recipient who had none), then sent by the sending process to a local
 * SMTP sink. The times are printed apart (the approval request itself only enqueues the preparation); the audience is evaluated on a warm contact
 * index (every app process keeps one), the index's own load time is printed too.
 * Run: npx tsx bench/send/campaign.ts [contacts] [segment share, e.g. 0.1] [connections]
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mongoose, { Types } from 'mongoose';
import { loadReferenceData } from '../../fixtures/index.js';
import { approveCampaign, createCampaign, prepareCampaign, startCampaignSending } from '../../server/campaigns/campaign.service.js';
import { Campaign } from '../../server/campaigns/campaign.model.js';
import { countContacts, insertContacts, newContactDefaults } from '../../server/contacts/contact.store.js';
import { evaluateAudience } from '../../server/delivery/audience.js';
import { runMailingInChildProcess } from '../../server/delivery/isolated-sender.js';
import { mailingProgress } from '../../server/delivery/mailing.service.js';
import { loadConfig } from '../../server/lib/config.js';
import { createLogger } from '../../server/lib/logger.js';
import { connectDatabase, disconnectDatabase } from '../../server/lib/db.js';
import { startFerretdb } from '../../server/lib/ferretdb.js';
import { List } from '../../server/lists/list.model.js';
import { createSegment } from '../../server/segments/segment.service.js';
import { Subscription } from '../../server/subscriptions/subscription.model.js';
import { ProcessMeter, printFigures } from '../lib/proc.js';

const total = Number(process.argv[2] ?? 100_000);
const share = Number(process.argv[3] ?? 0.1);
const connections = Number(process.argv[4] ?? 8);
const seconds = (since: number) => (Date.now() - since) / 1000;

const sink = fork(path.join(import.meta.dirname, 'sink.ts'), { execArgv: ['--import', 'tsx'] });
const port = await new Promise<number>((resolve) => sink.once('message', (m: { port: number }) => resolve(m.port)));
const dir = mkdtempSync(path.join(os.tmpdir(), 'maillage-bench-campaign-'));
const db = process.env.MONGODB_URI ? undefined : await startFerretdb({ storage: { kind: 'sqlite', dir }, database: 'bench_campaign', log: () => {} });
const uri = process.env.MONGODB_URI ?? db!.uri;
await connectDatabase(uri);
await loadReferenceData();
const config = loadConfig({
  NODE_ENV: 'test',
  MONGODB_URI: uri,
  SECRET: 'bench-secret-0123456789-abcdefghijklmnop',
  PUBLIC_URL: 'https://maillage.example.org',
  SMTP_URL: `smtp://127.0.0.1:${port}`,
  SMTP_MAX_CONNECTIONS: String(connections),
  SMTP_RATE_PER_SECOND: '10000',
  DATA_DIR: dir,
  LOG_LEVEL: 'warn',
});

// The base: every tenth contact in the Nord (the segment); 2 % subscribed to the monthly letter,
// as in the association's base (a few thousand readers in a larger network).
let t = Date.now();
const letter = (await List.findOne({ code: 'lettre-mensuelle' }).lean())!;
const every = Math.round(1 / share);
for (let start = 0; start < total; start += 2000) {
  const chunk = Array.from({ length: Math.min(2000, total - start) }, (_, k) => {
    const i = start + k;
    const nord = i % every === 0;
    const lastName = `Nom${i}`;
    return {
      ...newContactDefaults(),
      _id: new Types.ObjectId(),
      email: `contact-${i}@reseau.example.org`,
      firstName: `Prénom${i}`,
      lastName,
      territories: [nord ? 'commune-59350' : 'commune-75056'],
      territoryScope: nord ? ['commune-59350', 'departement-59', 'region-32'] : ['commune-75056', 'departement-75', 'region-11'],
      sortName: `nom${i} prenom${i}`,
      searchTokens: [`nom${i}`, `prenom${i}`],
      createdAt: new Date(),
      updatedAt: new Date(),
    };
  });
  await insertContacts(chunk, { via: 'bench' });
  const readers = chunk.filter((_, k) => (start + k) % 50 === 1);
  await Subscription.insertMany(
    readers.map((c) => ({ contact: c._id, list: letter._id, status: 'subscribed', source: 'staff', consent: { at: new Date(), source: 'staff', confirmedAt: new Date() } })),
    { ordered: false },
  );
}
console.log(`setup: ${total} contacts in ${seconds(t).toFixed(1)} s`);

t = Date.now();
await countContacts({}); // loads the contact index, as any app process has it
const indexLoadSeconds = seconds(t);
const segment = await createSegment({ name: 'Nord', filter: { territories: ['departement-59'] } });
const network = (await List.findOne({ code: 'informations-reseau' }).lean())!;

t = Date.now();
// CPU-seconds too: on a shared machine the wall time says as much about the other processes
const resolveMeter = new ProcessMeter({ bench: process.pid, database: db?.process.pid });
const audience = await evaluateAudience({ list: network, segment: String(segment._id) });
const resolveSeconds = seconds(t);
const resolveCpu = resolveMeter.stop().fields().cpu_seconds_total;
console.log(`audience of the segment among ${total}: ${audience.recipients.length} recipients in ${resolveSeconds.toFixed(2)} s, ${resolveCpu} CPU-seconds (contact index loaded in ${indexLoadSeconds.toFixed(1)} s before)`);

const campaign = await createCampaign({ config }, { subject: 'Appel à contributions, {{prenom|chère collègue}}', basis: 'legitimate-interest', segment: String(segment._id), body: '# Appel à contributions\n\nBonjour {{prenom}},\n\nLe [dossier](https://fts.example.org/dossier) est en ligne.\n\n[[Contribuer]](https://fts.example.org/contribuer)' });
// The approval request enqueues the preparation; here it is run in this process, as the job does.
const scheduler = { agenda: { now: async () => undefined } } as never;
t = Date.now();
await approveCampaign({ scheduler }, String(campaign._id));
const approveSeconds = seconds(t);
t = Date.now();
const prepared = await prepareCampaign({ config, logger: createLogger('warn') }, String(campaign._id));
const prepareSeconds = seconds(t);
const approved = (await Campaign.findById(campaign._id).lean())!;
console.log(
  `approval request in ${approveSeconds.toFixed(2)} s; preparation (${prepared}: render, links, audience evaluated again and frozen: ${approved.audience!.count} deliveries and subscriptions) in ${prepareSeconds.toFixed(1)} s`,
);

// Sending as the mailing-send job does it: the campaign starts its mailing, the sending process runs it.
await startCampaignSending({ scheduler }, String(campaign._id));
const meter = new ProcessMeter({ bench: process.pid, database: db?.process.pid, sink: sink.pid });
let sender: ChildProcess | undefined;
t = Date.now();
const outcome = await runMailingInChildProcess({ config }, String(approved.mailing), {
  onStart: (child) => {
    sender = child;
    meter.add('sender', child.pid!);
  },
});
if (sender!.exitCode === null && sender!.signalCode === null) await new Promise((resolve) => sender!.once('exit', resolve));
const figures = meter.stop();
const sendSeconds = seconds(t);
const progress = await mailingProgress(String(approved.mailing));
sink.send({ type: 'count' });
const { received } = await new Promise<{ received: number }>((resolve) => sink.once('message', resolve));
console.log(`sending: ${outcome}, ${progress.sent} sent, ${received} received by the sink in ${sendSeconds.toFixed(1)} s`);

sink.kill();
await mongoose.connection.dropDatabase().catch(() => undefined);
await disconnectDatabase();
await db?.stop();
rmSync(dir, { recursive: true, force: true });
printFigures({
  contacts: total,
  recipients: approved.audience!.count,
  audience_resolve_seconds: Number(resolveSeconds.toFixed(3)),
  audience_resolve_cpu_seconds: resolveCpu,
  contact_index_load_seconds: Number(indexLoadSeconds.toFixed(1)),
  approve_request_seconds: Number(approveSeconds.toFixed(2)),
  prepare_seconds: Number(prepareSeconds.toFixed(1)),
  send_seconds: Number(sendSeconds.toFixed(1)),
  received,
  ...figures.fields({ exclude: ['sink'], peakOf: ['sender'] }),
});
