import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Mailing } from '../../server/delivery/mailing.model.js';
import { createMailing, listDeliveries, mailingProgress } from '../../server/delivery/mailing.service.js';
import { resetDatabase, TEST_SECRET } from '../helpers.js';
import { NEWSLETTER_CONTENT, subscribedContacts } from './fixtures.js';
import { startSmtpReceiver, type SmtpReceiver } from './smtp-receiver.js';
import { serverBundleFile } from '../../scripts/build.js';

const RECIPIENTS = 2000;
const CONNECTIONS = 3;

/** A real worker process (`npm run worker`'s entry point) on the test database. */
function startWorker(smtpUrl: string, dataDir: string): ChildProcess {
  return spawn(process.execPath, [serverBundleFile('worker')], {
    cwd: path.resolve(import.meta.dirname, '../..'),
    env: {
      ...process.env,
      NODE_ENV: 'test',
      MONGODB_URI: process.env.TEST_MONGODB_URI,
      SMTP_URL: smtpUrl,
      SMTP_MAX_CONNECTIONS: String(CONNECTIONS),
      SMTP_RATE_PER_SECOND: '10000',
      SECRET: TEST_SECRET,
      PUBLIC_URL: 'http://maillage.test',
      DATA_DIR: dataDir,
      DEMO_DATA: 'off',
      JOBS: 'on',
      LOG_LEVEL: process.env.WORKER_LOG_LEVEL ?? 'silent',
    },
    stdio: ['ignore', process.env.WORKER_LOG_LEVEL ? 'inherit' : 'ignore', 'inherit'],
  });
}

const until = async (check: () => Promise<boolean> | boolean, timeoutMs: number, what: string) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
};

describe('the sender survives a crash', function () {
  this.timeout(400_000);
  let smtp: SmtpReceiver;
  let dataDir: string;
  const workers: ChildProcess[] = [];
  before(async () => {
    await resetDatabase();
    smtp = await startSmtpReceiver({ parse: false });
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'maillage-crash-'));
  });
  after(async () => {
    for (const worker of workers) if (worker.exitCode === null) worker.kill('SIGKILL');
    await smtp.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('sends exactly one message per recipient when the worker is SIGKILLed mid-way through 2,000 and restarted, apart from the reported uncertain ones', async () => {
    await subscribedContacts(RECIPIENTS, { prefix: 'crash' });
    const mailing = await createMailing({ source: { kind: 'test', id: 'crash' }, list: 'lettre-mensuelle', content: NEWSLETTER_CONTENT });
    // `sending` with no live sender: the worker's watchdog picks it up at start, as after any restart.
    await Mailing.updateOne({ _id: mailing._id }, { $set: { status: 'sending', startedAt: new Date() } });

    const first = startWorker(smtp.url, dataDir);
    workers.push(first);
    const started = Date.now();
    await until(() => smtp.mails.length > 0, 90_000, 'the first worker to start sending');
    const firstMessageAfter = Date.now() - started;
    await until(() => smtp.mails.length >= 500, 150_000, 'the first worker to send 500 messages');
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    const atKill = smtp.mails.length;
    expect(atKill).to.be.below(RECIPIENTS);
    const before = await mailingProgress(String(mailing._id));
    expect(before.status).to.equal('sending');
    expect(before.remaining).to.be.greaterThan(0);

    const second = startWorker(smtp.url, dataDir);
    workers.push(second);
    const restarted = Date.now();
    // a cheap poll (one read by id): the progress figures scan the event log
    await until(async () => (await Mailing.findById(mailing._id, { status: 1 }).lean())?.status === 'sent', 240_000, 'the restarted worker to finish');
    const restartSeconds = (Date.now() - restarted) / 1000;
    second.kill('SIGTERM');

    const perRecipient = new Map<string, number>();
    for (const mail of smtp.mails) for (const rcpt of mail.rcptTo) perRecipient.set(rcpt, (perRecipient.get(rcpt) ?? 0) + 1);
    const uncertain = new Set(
      (await listDeliveries({ filter: { mailing: String(mailing._id), status: ['uncertain'] }, sort: { field: '_id', order: 1 }, skip: 0, limit: 100 })).items.map((d) => d.email),
    );
    const progress = await mailingProgress(String(mailing._id));

    expect(uncertain.size).to.be.at.most(CONNECTIONS); // at most one per open connection
    expect((await Mailing.findById(mailing._id).lean())!.uncertain).to.equal(uncertain.size);
    expect(progress).to.include({ total: RECIPIENTS, failed: 0, remaining: 0, uncertain: uncertain.size, sent: RECIPIENTS - uncertain.size });
    for (let i = 0; i < RECIPIENTS; i++) {
      const email = `crash-${i}@exemple.fr`;
      const received = perRecipient.get(email) ?? 0;
      if (uncertain.has(email)) expect(received, email).to.be.at.most(1);
      else expect(received, email).to.equal(1);
    }
    console.log(
      `      (first message after ${(firstMessageAfter / 1000).toFixed(1)} s; killed after ${atKill} messages; ` +
        `restarted worker finished in ${restartSeconds.toFixed(1)} s; ${uncertain.size} uncertain)`,
    );
  });
});
