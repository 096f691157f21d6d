/**
 * bench/send: 10,000 personalised messages through the real sender (event log on FerretDB,
 * Nodemailer pool) to a local SMTP sink in another process. The sending runs in a process of
 * its own (sender-process.ts) so its peak RSS is the sender's. Prints messages/second and peak
 * RSS. Run: npx tsx bench/send/run.ts [count] [connections]
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { loadReferenceData } from '../../fixtures/index.js';
import { Mailing } from '../../server/delivery/mailing.model.js';
import { createMailing, mailingProgress } from '../../server/delivery/mailing.service.js';
import { resolveAudience } from '../../server/delivery/sender.js';
import { connectDatabase, disconnectDatabase } from '../../server/lib/db.js';
import { startFerretdb } from '../../server/lib/ferretdb.js';
import { NEWSLETTER_CONTENT, subscribedContacts } from '../../test/delivery/fixtures.js';

const count = Number(process.argv[2] ?? 10_000);
const connections = Number(process.argv[3] ?? 8);

const sink = fork(path.join(import.meta.dirname, 'sink.ts'), { execArgv: ['--import', 'tsx'] });
const port = await new Promise<number>((resolve) => sink.once('message', (m: { port: number }) => resolve(m.port)));
const dir = mkdtempSync(path.join(os.tmpdir(), 'maillage-bench-send-'));
const db = process.env.MONGODB_URI ? undefined : await startFerretdb({ storage: { kind: 'sqlite', dir }, database: 'bench_send', log: () => {} });
await connectDatabase(process.env.MONGODB_URI ?? db!.uri);
await loadReferenceData();


let t = Date.now();
await subscribedContacts(count, { prefix: 'bench' });
const mailing = await createMailing({ source: { kind: 'bench' }, list: 'lettre-mensuelle', content: NEWSLETTER_CONTENT, browserUrl: 'https://maillage.example.org/lettres/2026-11' });
await Mailing.updateOne({ _id: mailing._id }, { $set: { status: 'sending', startedAt: new Date() } });
console.log(`setup: ${count} contacts and subscriptions in ${((Date.now() - t) / 1000).toFixed(1)} s`);

t = Date.now();
await resolveAudience((await Mailing.findById(mailing._id).lean())!);
const resolveSeconds = (Date.now() - t) / 1000;

const uri = process.env.MONGODB_URI ?? db!.uri;
const sender = fork(path.join(import.meta.dirname, 'sender-process.ts'), [uri, String(mailing._id), `smtp://127.0.0.1:${port}`, String(connections)], {
  execArgv: ['--import', 'tsx'],
});
const { outcome, seconds: sendSeconds, baselineRss, peakRss } = await new Promise<{ outcome: string; seconds: number; baselineRss: number; peakRss: number }>((resolve) =>
  sender.once('message', resolve as never),
);

const progress = await mailingProgress(String(mailing._id));
sink.send({ type: 'count' });
const received = await new Promise<number>((resolve) => sink.once('message', (m: { received: number }) => resolve(m.received)));
console.log(`audience resolved: ${progress.total} recipients in ${resolveSeconds.toFixed(1)} s`);
console.log(`outcome: ${outcome}; sent ${progress.sent}, failed ${progress.failed}; the sink received ${received}`);
console.log(`sending: ${sendSeconds.toFixed(1)} s → ${(progress.sent / sendSeconds).toFixed(0)} messages/s with ${connections} SMTP connections`);
console.log(`peak RSS of the sending process: ${(peakRss / 1024 / 1024).toFixed(0)} MB (${(baselineRss / 1024 / 1024).toFixed(0)} MB once loaded and connected)`);

sink.kill();
await mongoose.connection.dropDatabase().catch(() => undefined);
await disconnectDatabase();
await db?.stop();
rmSync(dir, { recursive: true, force: true });
