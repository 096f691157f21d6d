import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Campaign } from '../../server/campaigns/campaign.model.js';
import { Delivery } from '../../server/delivery/delivery.model.js';
import { closeMailers } from '../../server/delivery/mailer.js';
import { Mailing } from '../../server/delivery/mailing.model.js';
import { clientAs, resetDatabase, startTestServer, TEST_SECRET, type Client, type TestServer } from '../helpers.js';
import { subscribedContacts } from '../delivery/fixtures.js';
import { startSmtpReceiver, type SmtpReceiver } from '../delivery/smtp-receiver.js';
import { serverBundleFile } from '../../scripts/build.js';

const RECIPIENTS = 3000;
const CONNECTIONS = 3;

/** A real worker process (`npm run worker`'s entry point) on the test database: it prepares and sends. */
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
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

const kill = async (worker: ChildProcess) => {
  worker.kill('SIGKILL');
  if (worker.exitCode === null && worker.signalCode === null) await new Promise((resolve) => worker.once('exit', resolve));
};

describe('a campaign survives the SIGKILL of its worker, while preparing and while sending', function () {
  this.timeout(600_000);
  let smtp: SmtpReceiver;
  let server: TestServer;
  let staff: Client;
  let dataDir: string;
  let id: string;
  const workers: ChildProcess[] = [];
  const worker = () => {
    const started = startWorker(smtp.url, dataDir);
    workers.push(started);
    return started;
  };
  const campaign = async () => (await staff.get(`/api/campaigns/${id}`)).body;
  const perRecipient = () => {
    const counts = new Map<string, number>();
    for (const mail of smtp.mails) for (const rcpt of mail.rcptTo) counts.set(rcpt, (counts.get(rcpt) ?? 0) + 1);
    return counts;
  };

  before(async function () {
    this.timeout(120_000);
    await resetDatabase();
    smtp = await startSmtpReceiver({ parse: false });
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'maillage-campaign-crash-'));
    // the API alone: every job (preparation, sending, watchdog) runs in the worker processes
    server = await startTestServer({ env: { SMTP_URL: smtp.url } });
    staff = (await clientAs(server, 'staff')).client;
    await subscribedContacts(RECIPIENTS, { prefix: 'panne' });
  });
  after(async () => {
    for (const w of workers) if (w.exitCode === null && w.signalCode === null) await kill(w);
    await server.close();
    closeMailers(server.ctx.config);
    await smtp.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('freezes the audience shown before approval even when the worker is killed during the preparation', async () => {
    // "Informations du réseau": freezing creates a subscription and a delivery per recipient
    const created = await staff.post('/api/campaigns', { subject: 'Dossier ressources, {{prenom}}', basis: 'legitimate-interest', body: 'Bonjour {{prenom}},\n\nLe [dossier](https://fts.test/dossier) est en ligne.' });
    id = created.body.id;
    const shown = (await campaign()).audience.count;
    expect(shown).to.equal(RECIPIENTS);

    const first = worker();
    const approved = await staff.post(`/api/campaigns/${id}/approve`);
    expect(approved.status).to.equal(200);
    expect(approved.body.status).to.equal('preparing'); // answered at once; the worker freezes the audience
    // killed once the preparation has made the mailing, before it is done
    await until(async () => Boolean((await Campaign.findById(id, { mailing: 1 }).lean())?.mailing), 120_000, 'the preparation to create the mailing');
    await kill(first);
    const cut = (await Campaign.findById(id).lean())!;
    expect(cut.status).to.equal('preparing');
    const frozenAtKill = await Delivery.countDocuments({ mailing: cut.mailing });
    expect(frozenAtKill).to.be.below(RECIPIENTS);
    expect((await campaign()).status).to.equal('preparing');

    worker(); // its watchdog enqueues the preparation again at start; the dead worker's claim is taken at once
    await until(async () => (await Campaign.findById(id, { status: 1 }).lean())?.status !== 'preparing', 180_000, 'the restarted worker to finish the preparation');
    const ready = await campaign();
    expect(ready.status).to.equal('approved');
    expect(String(ready.mailing)).to.equal(String(cut.mailing)); // the same mailing, gone on with
    expect(ready.audience.count).to.equal(shown);
    expect(await Delivery.countDocuments({ mailing: ready.mailing })).to.equal(shown);
    console.log(`      (killed with ${frozenAtKill} of ${shown} deliveries frozen)`);
  });

  it('sends no one twice when the worker is SIGKILLed mid-send and restarted, and lists the uncertain recipients', async () => {
    const [running] = workers.slice(-1);
    const sent = await staff.post(`/api/campaigns/${id}/send`);
    expect(sent.status).to.equal(202);
    await until(() => smtp.mails.length >= 500, 180_000, 'the worker to send 500 messages');
    await kill(running);
    const atKill = smtp.mails.length;
    expect(atKill).to.be.below(RECIPIENTS);
    expect((await campaign()).status).to.equal('sending');

    worker(); // its watchdog resumes the mailing left without a live sender
    const mailing = (await Campaign.findById(id, { mailing: 1 }).lean())!.mailing;
    await until(async () => (await Mailing.findById(mailing, { status: 1 }).lean())?.status === 'sent', 300_000, 'the restarted worker to finish');
    const final = await campaign();
    expect(final.status).to.equal('sent');

    const counts = perRecipient();
    const uncertain = new Set<string>(final.uncertain.map((u: { email: string }) => u.email));
    expect(uncertain.size).to.be.within(1, CONNECTIONS); // each lane's last claimed message, at most one per connection
    for (let i = 0; i < RECIPIENTS; i++) {
      const email = `panne-${i}@exemple.fr`;
      if (uncertain.has(email)) expect(counts.get(email) ?? 0, email).to.be.at.most(1);
      else expect(counts.get(email), email).to.equal(1);
    }
    expect(final.figures).to.include({ recipients: RECIPIENTS, accepted: RECIPIENTS - uncertain.size, uncertain: uncertain.size, failed: 0 });
    console.log(`      (killed after ${atKill} messages; ${uncertain.size} uncertain)`);
  });

  it('re-sends to the uncertain recipients only when staff ask, once', async () => {
    const before = await campaign();
    const uncertain: string[] = before.uncertain.map((u: { email: string }) => u.email);
    const countsBefore = perRecipient();
    const resent = await staff.post(`/api/campaigns/${id}/resend-uncertain`);
    expect(resent.status).to.equal(202);
    expect(resent.body.count).to.equal(uncertain.length);
    await until(async () => (await Mailing.findById(resent.body.mailing, { status: 1 }).lean())?.status === 'sent', 120_000, 'the re-send to finish');
    const after = await campaign();
    expect(after.uncertain).to.deep.equal([]);
    expect(after.figures).to.include({ recipients: RECIPIENTS, accepted: RECIPIENTS, uncertain: 0 });
    const counts = perRecipient();
    for (const email of uncertain) expect(counts.get(email), email).to.equal((countsBefore.get(email) ?? 0) + 1);
    expect(smtp.mails.length).to.equal([...countsBefore.values()].reduce((a, b) => a + b, 0) + uncertain.length); // nobody else
    expect((await staff.post(`/api/campaigns/${id}/resend-uncertain`)).status).to.equal(400);
  });
});
