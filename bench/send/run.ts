/**
 * bench/send: 10,000 personalised messages through the real sender (event log on FerretDB,
 * Nodemailer pool) to a local SMTP sink in another process. The sending runs as the
 * mailing-send job runs it, in a process of its own (server/delivery/isolated-sender.ts), whose
 * CPU time and peak RSS, like those of the bench process, the embedded database and the sink,
 * are read from /proc (bench/lib/proc.ts). Its last lines are `name=value` figures:
 * messages_per_second (first → last message at the sink), wall_seconds (from the start of the
 * sending process to its exit),
 * cpu_seconds_<role>, cpu_seconds_total (bench + sender + database; the sink is not counted),
 * peak_rss_mb (the sending process's).
 * Run: npx tsx bench/send/run.ts [count] [connections] [html KB] [--history N]
 * (html KB: pads the test newsletter with French paragraphs to a real issue's size, e.g. 100;
 * --history N: N deliveries and events of 20 earlier mailings in the base first, e.g. 100000)
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { loadReferenceData } from '../../fixtures/index.js';
import { Delivery, DeliveryEvent } from '../../server/delivery/delivery.model.js';
import { Mailing } from '../../server/delivery/mailing.model.js';
import { runMailingInChildProcess, senderEntry } from '../../server/delivery/isolated-sender.js';
import { createMailing, mailingProgress } from '../../server/delivery/mailing.service.js';
import { resolveAudience } from '../../server/delivery/audience.js';
import { loadConfig } from '../../server/lib/config.js';
import { connectDatabase, disconnectDatabase } from '../../server/lib/db.js';
import { startFerretdb } from '../../server/lib/ferretdb.js';
import { ProcessMeter, printFigures } from '../lib/proc.js';
import { NEWSLETTER_CONTENT, subscribedContacts } from '../../test/delivery/fixtures.js';

const args = process.argv.slice(2);
const historyAt = args.indexOf('--history');
const history = historyAt >= 0 ? Number(args.splice(historyAt, 2)[1]) : 0;
const [count = 10_000, connections = 8, htmlKb = 0] = args.map(Number);

/**
 * `--history N`: N deliveries of earlier mailings (20 of N/20 recipients, a month apart, each
 * with its `sent` event), as a base that has been sending for a while has them.
 */
async function earlierMailings(total: number): Promise<void> {
  const { Types } = mongoose;
  const perMailing = Math.ceil(total / 20);
  const past = (secondsAgo: number, i: number) => new Types.ObjectId(Math.floor(Date.now() / 1000 - secondsAgo).toString(16).padStart(8, '0') + i.toString(16).padStart(16, '0'));
  for (let m = 0; m < 20 && m * perMailing < total; m++) {
    const secondsAgo = (20 - m) * 30 * 86_400;
    const mailing = past(secondsAgo, 0);
    for (let start = 0; start < perMailing; start += 1000) {
      const rows = Array.from({ length: Math.min(1000, perMailing - start) }, (_, i) => ({ _id: past(secondsAgo, m * perMailing + start + i + 1), mailing, contact: new Types.ObjectId(), subscription: new Types.ObjectId(), email: `avant-${start + i}@exemple.fr`, createdAt: new Date() }));
      await Delivery.collection.insertMany(rows);
      await DeliveryEvent.collection.insertMany(rows.map((d) => ({ _id: `${d._id}:1:sent` as never, delivery: d._id, mailing, event: 'sent', attempt: 1, at: new Date(), response: '250 2.0.0 Ok' })));
    }
  }
}

/** The test newsletter, padded to `kb` KB of HTML (and as much text) with accented French paragraphs. */
function newsletterOfSize(kb: number) {
  if (!kb) return NEWSLETTER_CONTENT;
  const paragraph = 'Les acteurs de la promotion de la santé se sont réunis à Saint-Denis : ateliers santé ville, contrats locaux de santé, santé mentale et précarité. ';
  const filler = paragraph.repeat(Math.ceil((kb * 1024) / Buffer.byteLength(paragraph)));
  return {
    ...NEWSLETTER_CONTENT,
    html: NEWSLETTER_CONTENT.html.replace('</body>', `<p style="margin:0 0 12px;font-family:Arial,sans-serif">${filler}</p></body>`),
    text: `${NEWSLETTER_CONTENT.text}\n\n${filler}`,
  };
}

const sink = fork(path.join(import.meta.dirname, 'sink.ts'), { execArgv: ['--import', 'tsx'] });
const port = await new Promise<number>((resolve) => sink.once('message', (m: { port: number }) => resolve(m.port)));
const dir = mkdtempSync(path.join(os.tmpdir(), 'maillage-bench-send-'));
const db = process.env.MONGODB_URI ? undefined : await startFerretdb({ storage: { kind: 'sqlite', dir }, database: 'bench_send', log: () => {} });
await connectDatabase(process.env.MONGODB_URI ?? db!.uri);
await loadReferenceData();


let t = Date.now();
await subscribedContacts(count, { prefix: 'bench' });
if (history) await earlierMailings(history);
const mailing = await createMailing({ source: { kind: 'bench' }, list: 'lettre-mensuelle', content: newsletterOfSize(htmlKb), browserUrl: 'https://maillage.example.org/lettres/2026-11' });
await Mailing.updateOne({ _id: mailing._id }, { $set: { status: 'sending', startedAt: new Date() } });
console.log(`setup: ${count} contacts and subscriptions${history ? `, ${history} deliveries and events of earlier mailings` : ''} in ${((Date.now() - t) / 1000).toFixed(1)} s`);

t = Date.now();
await resolveAudience((await Mailing.findById(mailing._id).lean())!);
console.log(`audience resolved: ${(await Mailing.findById(mailing._id).lean())!.total} recipients in ${((Date.now() - t) / 1000).toFixed(1)} s; sending…`);

const uri = process.env.MONGODB_URI ?? db!.uri;
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
// Made before the worker's first mailing by its build step (`npm run worker`), so here before measuring.
await senderEntry();
// The production path: the mailing-send job's sending process. CPU and memory of every process
// involved are read from /proc from here to the sending process's exit.
const meter = new ProcessMeter({ bench: process.pid, database: db?.process.pid, sink: sink.pid });
let sender: ChildProcess | undefined;
let firstBatchAt: number | undefined; // the sender touches the job before each batch
t = Date.now();
const outcome = await runMailingInChildProcess({ config }, String(mailing._id), {
  touch: async () => (firstBatchAt ??= Date.now()),
  onStart: (child) => {
    sender = child;
    meter.add('sender', child.pid!);
  },
});
if (sender!.exitCode === null && sender!.signalCode === null) await new Promise((resolve) => sender!.once('exit', resolve));
const figures = meter.stop();
const sendSeconds = (Date.now() - firstBatchAt!) / 1000;
const startSeconds = (firstBatchAt! - t) / 1000;

const progress = await mailingProgress(String(mailing._id));
sink.send({ type: 'count' });
const { received, firstAt, lastAt } = await new Promise<{ received: number; firstAt: number; lastAt: number }>((resolve) => sink.once('message', resolve));
console.log(`outcome: ${outcome}; sent ${progress.sent}, failed ${progress.failed}; the sink received ${received}`);
if (htmlKb) console.log(`newsletter of ${htmlKb} KB of HTML (and as much text) per message`);
console.log(`sending process started in ${startSeconds.toFixed(1)} s; sending from its first batch: ${sendSeconds.toFixed(1)} s → ${(progress.sent / sendSeconds).toFixed(0)} messages/s with ${connections} SMTP connections`);

sink.kill();
await mongoose.connection.dropDatabase().catch(() => undefined);
await disconnectDatabase();
await db?.stop();
rmSync(dir, { recursive: true, force: true });
// The sink's CPU is the receiving side's, not Maillage's: shown, not counted in the total.
printFigures({
  sent: progress.sent,
  received,
  messages_per_second: Math.round(received / Math.max(0.001, (lastAt - firstAt) / 1000)), // first → last message at the sink
  ...figures.fields({ exclude: ['sink'], peakOf: ['sender'] }),
});
