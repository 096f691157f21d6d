import { expect } from 'chai';
import { MEMBERSHIP_REMINDERS } from '../../jobs/membership-reminders.job.js';
import { closeMailers } from '../../server/delivery/mailer.js';
import { FeeSchedule, MembershipReminder } from '../../server/memberships/membership.model.js';
import { createFeeSchedule, createMembership, recordPayment } from '../../server/memberships/membership.service.js';
import { sendDueReminders } from '../../server/memberships/reminder.service.js';
import { parisDay, parisYear } from '../../server/lib/paris-time.js';
import type { Actor } from '../../server/users/user.service.js';
import { startSmtpReceiver, type SmtpReceiver } from '../delivery/smtp-receiver.js';
import { clientAs, listPath, resetDatabase, startTestServer, type TestServer } from '../helpers.js';
import { insertContact, insertOrganisation } from './records.js';

const actor: Actor = { id: '64b000000000000000000001', role: 'staff', name: 'Test' };
const at = (iso: string) => new Date(iso);

describe('membership renewal reminders', () => {
  let smtp: SmtpReceiver;
  let server: TestServer;
  const emails: Record<string, string> = {};
  let dueMembership: string;

  before(async () => {
    await resetDatabase();
    smtp = await startSmtpReceiver();
    server = await startTestServer({ env: { SMTP_URL: smtp.url }, jobs: true });
    await createFeeSchedule({ year: 2025, fees: [{ category: 'personne-physique', amount: 30 }, { category: 'association', amount: 100 }] });
    await createFeeSchedule({ year: 2026, fees: [{ category: 'personne-physique', amount: 35 }, { category: 'association', amount: 120 }] });
    const person = async (name: string) => {
      const contact = await insertContact({ firstName: name, email: `${name.toLowerCase()}@adherents.test` });
      emails[name] = contact.email;
      return String(contact._id);
    };
    // Paid for 2026: no reminder.
    await createMembership({ contact: await person('Alice'), year: 2026, category: 'personne-physique', paymentStatus: 'paid', paymentMethod: 'cheque', paidAt: at('2026-01-05') }, actor);
    // Recorded for 2026, not paid: reminded.
    dueMembership = String((await createMembership({ contact: await person('Bruno'), year: 2026, category: 'personne-physique' }, actor)).id);
    // Paid 2025, not renewed: reminded.
    await createMembership({ contact: await person('Chloe'), year: 2025, category: 'personne-physique', paymentStatus: 'paid', paymentMethod: 'virement', paidAt: at('2025-02-01') }, actor);
    // Waived for 2026: settled, no reminder.
    await createMembership({ contact: await person('Denis'), year: 2026, category: 'personne-physique', paymentStatus: 'waived' }, actor);
    // Former member (2025 never paid, nothing in 2026): no reminder.
    await createMembership({ contact: await person('Elsa'), year: 2025, category: 'personne-physique' }, actor);
    // Legal person, unpaid 2026: its representative is reminded.
    const association = await insertOrganisation({ name: 'Collectif Santé Ville' });
    await createMembership({ organisation: String(association._id), representative: await person('Fanny'), year: 2026, category: 'association' }, actor);
    // Legal person without representative: recorded as skipped.
    const silent = await insertOrganisation({ name: 'Association sans contact' });
    await createMembership({ organisation: String(silent._id), year: 2026, category: 'association' }, actor);
  });
  after(async () => {
    await server.close();
    closeMailers(server.ctx.config);
    await smtp.close();
  });

  it('sends nothing before the first reminder date of the year', async () => {
    const run = await sendDueReminders(server.ctx, at('2026-01-14T22:59:00Z')); // 23:59 on 14 January in Paris
    expect(run.reminderDate).to.equal(undefined);
    expect(await MembershipReminder.countDocuments()).to.equal(0);
  });

  it('e-mails only the members not yet paid for the year, with the MJML layout', async () => {
    const run = await sendDueReminders(server.ctx, at('2026-01-14T23:00:00Z')); // 00:00 on 15 January in Paris
    expect(run).to.include({ year: 2026, reminderDate: '2026-01-15', sent: 3, skipped: 1, failed: 0 });
    const mails = await smtp.waitFor(3);
    const recipients = mails.flatMap((m) => m.rcptTo).sort();
    expect(recipients).to.deep.equal([emails.Bruno, emails.Chloe, emails.Fanny].sort());
    const bruno = mails.find((m) => m.rcptTo.includes(emails.Bruno))!.parsed!;
    expect(bruno.subject).to.equal('Votre adhésion 2026 à Fabrique Territoires Santé');
    expect(bruno.text).to.include('le montant de la cotisation est de 35,00 €');
    expect(bruno.html).to.include('<!doctype html>');
    const chloe = mails.find((m) => m.rcptTo.includes(emails.Chloe))!.parsed!;
    expect(chloe.text).to.include('Vous étiez adhérent·e en 2025');
    expect(bruno.headers.get('auto-submitted')).to.equal('auto-generated');
  });

  it('never sends the same reminder twice, even when two runs overlap', async () => {
    const [first, second] = await Promise.all([
      sendDueReminders(server.ctx, at('2026-02-01T09:00:00Z')),
      sendDueReminders(server.ctx, at('2026-02-01T09:00:00Z')),
    ]);
    expect(first.sent + second.sent).to.equal(0);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(smtp.mails).to.have.length(3);
  });

  it('sends the next reminder to whoever is still unpaid, and lets staff see who was reminded when', async () => {
    await recordPayment(dueMembership, { paymentMethod: 'virement', paidAt: at('2026-02-20T10:00:00Z') }, actor);
    const run = await sendDueReminders(server.ctx, at('2026-03-15T08:00:00Z'));
    expect(run).to.include({ reminderDate: '2026-03-15', sent: 2 });
    await smtp.waitFor(5);
    const { client } = await clientAs(server, 'board');
    const list = await client.get(listPath('membership-reminders', { filter: { year: 2026, status: 'sent' }, sort: ['sentAt', 'ASC'], range: [0, 49] }));
    expect(list.status).to.equal(200);
    expect(list.headers.get('content-range')).to.equal('membership-reminders 0-4/5');
    const byDate = list.body.map((r: { reminderDate: string; email: string; sentAt: string; memberName: string }) => `${r.reminderDate} ${r.email}`);
    expect(byDate.filter((line: string) => line.startsWith('2026-01-15'))).to.have.length(3);
    expect(byDate).to.include(`2026-03-15 ${emails.Chloe}`);
    expect(byDate).not.to.include(`2026-03-15 ${emails.Bruno}`);
    expect(list.body.every((r: { sentAt?: string }) => r.sentAt)).to.equal(true);
    expect(list.body.map((r: { memberName: string }) => r.memberName)).to.include('Collectif Santé Ville');
    const skipped = await client.get(listPath('membership-reminders', { filter: { status: 'skipped' } }));
    expect(skipped.body[0]).to.include({ memberName: 'Association sans contact' });
    expect(skipped.body[0].error).to.match(/représentant/);
  });

  it('runs as the scheduled Agenda job', async () => {
    // The job reminds for the current Paris year: give that year a reminder date of today.
    const now = new Date();
    const year = parisYear(now);
    if (!(await FeeSchedule.exists({ year }))) await createFeeSchedule({ year, fees: [{ category: 'personne-physique', amount: 40 }] });
    await FeeSchedule.updateOne({ year }, { $set: { reminderDates: [parisDay(now)] } });
    const late = await insertContact({ firstName: 'Gaston', email: 'gaston@adherents.test' });
    await createMembership({ contact: String(late._id), year, category: 'personne-physique' }, actor);
    const { agenda } = server.ctx.scheduler;
    const done = new Promise<void>((resolve) => agenda.once(`complete:${MEMBERSHIP_REMINDERS}`, () => resolve()));
    await agenda.now(MEMBERSHIP_REMINDERS);
    await done;
    const mails = await smtp.waitFor(1, (m) => m.rcptTo.includes('gaston@adherents.test'));
    expect(mails[0].parsed!.subject).to.equal(`Votre adhésion ${year} à Fabrique Territoires Santé`);
    expect(await MembershipReminder.countDocuments({ year, reminderDate: parisDay(now), status: 'sent', email: 'gaston@adherents.test' })).to.equal(1);
  });
});
