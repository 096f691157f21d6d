/**
 * bench/send: 10,000 personalised messages through the real sender (event log on FerretDB,
 * Nodemailer pool) to a local SMTP sink in another process. Prints messages/second and the
 * sender's peak RSS. Run: npx tsx bench/send/run.ts [count] [connections]
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { loadReferenceData } from '../../fixtures/index.js';
import { createMailer } from '../../server/delivery/mailer.js';
import { Mailing } from '../../server/delivery/mailing.model.js';
import { createMailing, mailingProgress } from '../../server/delivery/mailing.service.js';
import { resolveAudience, runMailing } from '../../server/delivery/sender.js';
import { loadConfig } from '../../server/lib/config.js';
import { connectDatabase, disconnectDatabase } from '../../server/lib/db.js';
import { startFerretdb } from '../../server/lib/ferretdb.js';
import { createLogger } from '../../server/lib/logger.js';
import { NEWSLETTER_CONTENT, subscribedContacts } from '../../test/delivery/fixtures.js';

const count = Number(process.argv[2] ?? 10_000);
const connections = Number(process.argv[3] ?? 8);

const sink = fork(path.join(import.meta.dirname, 'sink.ts'), { execArgv: ['--import', 'tsx'] });
const port = await new Promise<number>((resolve) => sink.once('message', (m: { port: number }) => resolve(m.port)));
const dir = mkdtempSync(path.join(os.tmpdir(), 'maillage-bench-send-'));
const db = process.env.MONGODB_URI ? undefined : await startFerretdb({ storage: { kind: 'sqlite', dir }, database: 'bench_send', log: () => {} });
await connectDatabase(process.env.MONGODB_URI ?? db!.uri);
await loadReferenceData();

const config = loadConfig({
  NODE_ENV: 'test',
  MONGODB_URI: 'mongodb://unused',
  SECRET: 'bench-secret-0123456789-abcdefghijklmnop',
  PUBLIC_URL: 'https://maillage.example.org',
  SMTP_URL: `smtp://127.0.0.1:${port}`,
  SMTP_MAX_CONNECTIONS: String(connections),
  SMTP_RATE_PER_SECOND: '10000',
  DATA_DIR: dir,
});
const logger = createLogger('warn');

let t = Date.now();
await subscribedContacts(count, { prefix: 'bench' });
const mailing = await createMailing({ source: { kind: 'bench' }, list: 'lettre-mensuelle', content: NEWSLETTER_CONTENT, browserUrl: 'https://maillage.example.org/lettres/2026-11' });
await Mailing.updateOne({ _id: mailing._id }, { $set: { status: 'sending', startedAt: new Date() } });
console.log(`setup: ${count} contacts and subscriptions in ${((Date.now() - t) / 1000).toFixed(1)} s`);

t = Date.now();
await resolveAudience((await Mailing.findById(mailing._id).lean())!);
const resolveSeconds = (Date.now() - t) / 1000;

const baselineRss = process.memoryUsage().rss;
let peakRss = baselineRss;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
const mailer = createMailer(config, 'bulk');
t = Date.now();
const outcome = await runMailing({ config, logger }, String(mailing._id), { mailer });
const sendSeconds = (Date.now() - t) / 1000;
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage().rss);
mailer.close();

const progress = await mailingProgress(String(mailing._id));
sink.send({ type: 'count' });
const received = await new Promise<number>((resolve) => sink.once('message', (m: { received: number }) => resolve(m.received)));
console.log(`audience resolved: ${progress.total} recipients in ${resolveSeconds.toFixed(1)} s`);
console.log(`outcome: ${outcome}; sent ${progress.sent}, failed ${progress.failed}; the sink received ${received}`);
console.log(`sending: ${sendSeconds.toFixed(1)} s → ${(progress.sent / sendSeconds).toFixed(0)} messages/s with ${connections} SMTP connections`);
console.log(`peak RSS of the sender: ${(peakRss / 1024 / 1024).toFixed(0)} MB (${(baselineRss / 1024 / 1024).toFixed(0)} MB before sending: Node, tsx, Mongoose, the app's modules)`);

sink.kill();
await mongoose.connection.dropDatabase().catch(() => undefined);
await disconnectDatabase();
await db?.stop();
rmSync(dir, { recursive: true, force: true });
