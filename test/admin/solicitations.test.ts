import { expect } from 'chai';
import { Contact } from '../../server/contacts/contact.model.js';
import { Solicitation } from '../../server/solicitations/solicitation.model.js';
import { User } from '../../server/users/user.model.js';
import { describeViolations, missingTranslations, pageAs, screenshot, seriousAxeViolations, useAdminBrowser } from './browser.js';

describe('the admin in a browser: solicitations through a day', () => {
  const suite = useAdminBrowser();

  it('records a phone call without an e-mail, assigns it to a staff member and answers it from the list', async function () {
    this.timeout(90_000);
    const page = await pageAs(suite.browser, suite.server, 'staff');
    const failures: string[] = [];
    page.on('response', (r) => r.url().includes('/api/') && r.status() >= 400 && failures.push(`${r.status()} ${r.url()}`));
    const me = await User.findOne({ role: 'staff' }).lean();
    const contacts = await Contact.countDocuments();

    await page.goto(`${suite.server.url}/admin/solicitations/create`);
    await page.getByRole('combobox', { name: 'Canal' }).click();
    await page.getByRole('option', { name: 'Téléphone' }).click();
    await page.getByLabel('Prénom (sans adresse e-mail)').fill('Joël');
    await page.getByLabel('Nom (sans adresse e-mail)', { exact: true }).fill('Marchand');
    await page.getByLabel('Téléphone', { exact: true }).fill('06 12 34 56 78');
    await page.getByLabel('Structure', { exact: true }).fill('Mairie de Bondy');
    await page.getByLabel('Objet', { exact: true }).fill('Rappeler au sujet du CLS');
    await page.getByRole('combobox', { name: 'Suivie par' }).click();
    await page.getByRole('option', { name: me!.name }).click();
    const violations = await seriousAxeViolations(page);
    expect(violations, describeViolations(violations)).to.deep.equal([]);
    await screenshot(page, 'solicitation-create-phone');
    await page.getByRole('button', { name: 'Enregistrer' }).click();

    await page.waitForURL(/\/admin\/solicitations(\?.*)?$/);
    const row = page.getByRole('row').filter({ hasText: 'Rappeler au sujet du CLS' });
    await row.getByText('Joël Marchand').waitFor();
    await row.getByText(me!.name).waitFor();
    const saved = await Solicitation.findOne({ subject: 'Rappeler au sujet du CLS' }).lean();
    expect(saved).to.include({ requesterPhone: '06 12 34 56 78', organisationName: 'Mairie de Bondy', channel: 'telephone' });
    expect(String(saved!.assignee)).to.equal(String(me!._id));
    expect(await Contact.countDocuments()).to.equal(contacts);

    await row.getByRole('combobox', { name: 'État de « Rappeler au sujet du CLS »' }).click();
    await page.getByRole('option', { name: 'Répondue' }).click();
    const dialog = page.getByRole('dialog', { name: 'Marquer comme répondue' });
    await dialog.getByRole('button', { name: 'Enregistrer' }).click();
    await dialog.getByRole('alert').getByText('Indiquez la réponse apportée.').waitFor();
    await dialog.getByLabel('Réponse apportée').fill('Rappelé : documentation CLS envoyée par courrier.');
    await dialog.getByLabel('Temps passé (minutes, facultatif)').fill('25');
    await screenshot(page, 'solicitation-answer-dialog');
    await dialog.getByRole('button', { name: 'Enregistrer' }).click();
    await page.getByText('Sollicitation passée à « Répondue ». Elle quittera cette liste au prochain affichage', { exact: false }).waitFor();
    // The row stays where it was, with its new status.
    expect(await row.getByRole('combobox', { name: 'État de « Rappeler au sujet du CLS »' }).textContent()).to.include('Répondue');
    const answered = await Solicitation.findById(saved!._id).lean();
    expect(answered).to.include({ status: 'answered', answer: 'Rappelé : documentation CLS envoyée par courrier.', timeSpentMinutes: 25 });
    expect(answered!.answeredAt).to.be.instanceOf(Date);
    await screenshot(page, 'solicitation-answered');
    expect(failures).to.deep.equal([]);
    expect(missingTranslations(page)).to.deep.equal([]);
    await page.close();
  });
});
