import { expect } from 'chai';
import { ImapFlow } from 'imapflow';
import { pollBounceMailbox } from '../../server/delivery/bounce-mailbox.js';
import { parseBounceMessage } from '../../server/delivery/bounce.parse.js';
import { Delivery } from '../../server/delivery/delivery.model.js';
import { closeMailers } from '../../server/delivery/mailer.js';
import { Mailing } from '../../server/delivery/mailing.model.js';
import { createMailing, listDeliveries, mailingProgress } from '../../server/delivery/mailing.service.js';
import { ensureAudience } from '../../server/delivery/audience.js';
import { runMailing } from '../../server/delivery/sender.js';
import { Subscription } from '../../server/subscriptions/subscription.model.js';
import { isSuppressed } from '../../server/suppressions/suppression.service.js';
import { Client, resetDatabase, startTestServer, type TestServer } from '../helpers.js';
import { startDovecot } from './dovecot.js';
import { NEWSLETTER_CONTENT, subscribedContacts } from './fixtures.js';
import { startSmtpReceiver, type SmtpReceiver } from './smtp-receiver.js';

const WEBHOOK_SECRET = 'webhook-secret-0123456789-abcdefghij';
const silent = { info() {}, warn() {}, error() {}, debug() {} } as never;

/** A Postfix-style delivery status notification (RFC 3464) for a message we sent. */
function dsn(d: { id: string; mailing: string; email: string }, kind: 'hard' | 'soft') {
  const [action, status, diagnostic] =
    kind === 'hard' ? ['failed', '5.1.1', '550 5.1.1 <x>: Recipient address rejected: User unknown'] : ['delayed', '4.2.2', '452 4.2.2 Mailbox full'];
  return [
    'Return-Path: <>',
    `Delivered-To: bounces+${d.id}@fts.test`,
    'From: MAILER-DAEMON@mx.exemple.fr (Mail Delivery System)',
    `To: bounces+${d.id}@fts.test`,
    'Subject: Undelivered Mail Returned to Sender',
    'Date: Sun, 22 Nov 2026 07:00:00 +0100',
    'Message-Id: <20261122060000.4ABC@mx.exemple.fr>',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status; boundary="4ABC.1795331000/mx.exemple.fr"',
    '',
    '--4ABC.1795331000/mx.exemple.fr',
    'Content-Description: Notification',
    'Content-Type: text/plain; charset=us-ascii',
    '',
    'This is the mail system at host mx.exemple.fr.',
    '',
    `<${d.email}>: host mx.exemple.fr said: ${diagnostic}`,
    '',
    '--4ABC.1795331000/mx.exemple.fr',
    'Content-Description: Delivery report',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.exemple.fr',
    'X-Postfix-Queue-ID: 4ABC',
    'Arrival-Date: Sun, 22 Nov 2026 06:59:00 +0100',
    '',
    `Final-Recipient: rfc822; ${d.email}`,
    `Original-Recipient: rfc822;${d.email}`,
    `Action: ${action}`,
    `Status: ${status}`,
    'Remote-MTA: dns; mx.exemple.fr',
    `Diagnostic-Code: smtp; ${diagnostic}`,
    '',
    '--4ABC.1795331000/mx.exemple.fr',
    'Content-Description: Undelivered Message Headers',
    'Content-Type: text/rfc822-headers',
    '',
    `Message-ID: <${d.id}.${d.mailing}@fts.test>`,
    'From: Fabrique Territoires Santé <lettre@fts.test>',
    `To: ${d.email}`,
    'Subject: La lettre de novembre',
    '',
    '--4ABC.1795331000/mx.exemple.fr--',
    '',
  ].join('\r\n');
}

/** A feedback report (ARF, RFC 5965) as a mailbox provider's feedback loop sends it. */
function arf(d: { id: string; mailing: string; email: string }) {
  return [
    'From: fbl@feedback.exemple.net',
    'To: bounces@fts.test',
    'Subject: FW: La lettre de novembre',
    'Date: Sun, 22 Nov 2026 08:00:00 +0000',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=feedback-report; boundary="part1_13d.2e68ed54"',
    '',
    '--part1_13d.2e68ed54',
    'Content-Type: text/plain; charset="US-ASCII"',
    '',
    'This is an email abuse report for an email message received from IP 192.0.2.10.',
    '',
    '--part1_13d.2e68ed54',
    'Content-Type: message/feedback-report',
    '',
    'Feedback-Type: abuse',
    'User-Agent: ExempleFBL/1.0',
    'Version: 1',
    `Original-Mail-From: <bounces+${d.id}@fts.test>`,
    `Original-Rcpt-To: <${d.email}>`,
    'Arrival-Date: Sun, 22 Nov 2026 07:30:00 +0000',
    'Reported-Domain: fts.test',
    '',
    '--part1_13d.2e68ed54',
    'Content-Type: message/rfc822',
    'Content-Disposition: inline',
    '',
    `Message-ID: <${d.id}.${d.mailing}@fts.test>`,
    'From: lettre@fts.test',
    `To: ${d.email}`,
    'Subject: La lettre de novembre',
    '',
    'Bonjour',
    '',
    '--part1_13d.2e68ed54--',
    '',
  ].join('\r\n');
}

describe('bounces and complaints', function () {
  this.timeout(60_000);
  let smtp: SmtpReceiver;
  let server: TestServer;
  let dovecot: Awaited<ReturnType<typeof startDovecot>>;
  let recipients: Array<{ id: string; mailing: string; email: string; subscription: string }>;
  let mailingId: string;

  before(async () => {
    await resetDatabase();
    smtp = await startSmtpReceiver();
    dovecot = await startDovecot();
    server = await startTestServer({
      env: { SMTP_URL: smtp.url, MAIL_FROM: 'Fabrique Territoires Santé <lettre@fts.test>', BOUNCE_IMAP_URL: dovecot.url, BOUNCE_WEBHOOK_SECRET: WEBHOOK_SECRET, SOFT_BOUNCE_LIMIT: '2' },
    });
    await subscribedContacts(6, { prefix: 'retour' });
    const mailing = await createMailing({ source: { kind: 'test', id: 'retours' }, list: 'lettre-mensuelle', content: NEWSLETTER_CONTENT });
    mailingId = String(mailing._id);
    await Mailing.updateOne({ _id: mailing._id }, { $set: { status: 'sending', startedAt: new Date() } });
    await ensureAudience(mailingId);
    expect(await runMailing({ config: server.ctx.config, logger: silent }, mailingId)).to.equal('sent');
    recipients = (await Delivery.find({ mailing: mailing._id }).sort({ email: 1 }).lean()).map((d) => ({
      id: String(d._id),
      mailing: mailingId,
      email: d.email,
      subscription: String(d.subscription),
    }));
  });
  after(async () => {
    closeMailers(server.ctx.config);
    await server.close();
    await smtp.close();
    await dovecot.stop();
  });

  it('reads a hard and a delayed delivery status notification and a feedback report', async () => {
    const [r0] = recipients;
    expect(await parseBounceMessage(dsn(r0, 'hard'))).to.deep.include({ kind: 'hard', deliveryId: r0.id, recipient: r0.email, status: '5.1.1' });
    expect(await parseBounceMessage(dsn(r0, 'soft'))).to.deep.include({ kind: 'soft', deliveryId: r0.id, status: '4.2.2' });
    expect(await parseBounceMessage(arf(r0))).to.deep.include({ kind: 'complaint', deliveryId: r0.id });
    expect(await parseBounceMessage('From: x@y\r\nTo: bounces@fts.test\r\nSubject: Absent du bureau\r\n\r\nJe suis absente.\r\n')).to.equal(undefined);
  });

  it('reads the bounce mailbox of a real IMAP server: hard bounce and complaint suppress, soft bounces count', async () => {
    const [hard, soft, complaint, unsubscriber] = recipients;
    const mail = smtp.mails.find((m) => m.rcptTo[0] === unsubscriber.email)!;
    const mailto = /<mailto:([^?]+)\?subject=([^>]+)>/.exec(mail.raw.replace(/\r\n[ \t]+/g, ' '))!;
    const imap = new ImapFlow({ host: '127.0.0.1', port: dovecot.port, secure: false, auth: { user: dovecot.user, pass: dovecot.password }, logger: false });
    await imap.connect();
    for (const message of [
      dsn(hard, 'hard'),
      dsn(soft, 'soft'),
      dsn(soft, 'soft'),
      arf(complaint),
      `From: ${unsubscriber.email}\r\nTo: ${mailto[1]}\r\nSubject: ${decodeURIComponent(mailto[2])}\r\n\r\n`,
      'From: collegue@exemple.fr\r\nTo: bounces@fts.test\r\nSubject: Absent du bureau\r\n\r\nJe suis absente.\r\n',
    ]) {
      await imap.append('INBOX', message);
    }

    const counts = await pollBounceMailbox(server.ctx);
    expect(counts).to.deep.equal({ suppressed: 3, counted: 1, unsubscribed: 1, ignored: 1 });

    expect(await isSuppressed(hard.email)).to.equal(true);
    expect(await Subscription.findById(hard.subscription).lean()).to.include({ status: 'bounced' });
    expect(await isSuppressed(soft.email)).to.equal(true); // 2 soft bounces = SOFT_BOUNCE_LIMIT
    expect(await isSuppressed(complaint.email)).to.equal(true);
    expect(await Subscription.findById(complaint.subscription).lean()).to.include({ status: 'unsubscribed', unsubscribeSource: 'complaint' });
    expect(await Subscription.findById(unsubscriber.subscription).lean()).to.include({ status: 'unsubscribed', unsubscribeSource: 'mailto' });
    expect(await isSuppressed(unsubscriber.email)).to.equal(false);

    const states = (await listDeliveries({ filter: { mailing: mailingId, status: ['bounced'] }, sort: { field: '_id', order: 1 }, skip: 0, limit: 10 })).items;
    expect(Object.fromEntries(states.map((d) => [d.email, d.bounceType]))).to.deep.equal({ [hard.email]: 'hard', [soft.email]: 'soft', [complaint.email]: 'complaint' });
    expect(await mailingProgress(mailingId)).to.include({ sent: 6, bounced: 3 });

    const box = await imap.status('INBOX', { messages: true });
    expect(box && box.messages).to.equal(0); // handled messages are deleted
    await imap.logout();
    expect(await pollBounceMailbox(server.ctx)).to.deep.equal({ suppressed: 0, counted: 0, unsubscribed: 0, ignored: 0 });
  });

  it('accepts provider events on the authenticated webhook only', async () => {
    const visitor = new Client(server.url);
    const r5 = recipients[5];
    const body = { events: [{ type: 'hard', email: r5.email, messageId: `<${r5.id}.${r5.mailing}@fts.test>`, reason: '550 5.1.1' }] };
    expect((await visitor.post('/api/webhooks/bounces', body)).status).to.equal(401);
    expect((await visitor.post('/api/webhooks/bounces', body, { authorization: 'Bearer pas-le-bon-secret-pas-le-bon-secret' })).status).to.equal(401);
    const auth = { authorization: `Bearer ${WEBHOOK_SECRET}` };
    const bad = await visitor.post('/api/webhooks/bounces', { events: [{ type: 'rebond', email: r5.email }] }, auth);
    expect(bad.status).to.equal(400);
    expect(bad.body.error.field).to.equal('events.0.type');
    expect(await isSuppressed(r5.email)).to.equal(false);
    const ok = await visitor.post('/api/webhooks/bounces', body, auth);
    expect(ok.status).to.equal(200);
    expect(ok.body).to.deep.equal({ processed: 1, outcomes: ['suppressed'] });
    expect(await isSuppressed(r5.email)).to.equal(true);
  });

  it('leaves suppressed addresses out of the next mailing', async () => {
    const next = await createMailing({ source: { kind: 'test', id: 'suivante' }, list: 'lettre-mensuelle', content: NEWSLETTER_CONTENT });
    await Mailing.updateOne({ _id: next._id }, { $set: { status: 'sending' } });
    await ensureAudience(String(next._id));
    await runMailing({ config: server.ctx.config, logger: silent }, String(next._id));
    const emails = (await Delivery.find({ mailing: next._id }).lean()).map((d) => d.email).sort();
    expect(emails).to.deep.equal([recipients[4].email]);
  });
});
