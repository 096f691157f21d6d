import { expect } from 'chai';
import { createUser } from '../../server/users/user.service.js';
import { TEST_PASSWORD } from '../helpers.js';
import { describeViolations, pageAs, screenshot, seriousAxeViolations, useAdminBrowser } from './browser.js';

describe('the admin in a browser: logging in and roles', () => {
  const suite = useAdminBrowser();

  it('logs in with the French form and lands on the dashboard', async () => {
    await createUser({ email: 'claire@fts.test', name: 'Claire Martin', role: 'staff', password: TEST_PASSWORD });
    await suite.browser.context.clearCookies();
    const page = await suite.browser.context.newPage();
    await page.goto(`${suite.server.url}/admin/`);
    await page.getByLabel('Identifiant').fill('claire@fts.test');
    await page.locator('input[name="password"]').fill('mauvais mot de passe');
    await page.getByRole('button', { name: 'Connexion' }).click();
    await page.getByText('Adresse e-mail ou mot de passe incorrect.').waitFor();
    await screenshot(page, 'login');
    await page.locator('input[name="password"]').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Connexion' }).click();
    await page.getByRole('heading', { name: /Bonjour Claire Martin/ }).waitFor();
    expect(page.url()).to.match(/\/admin\/?$/);
    // the dashboard's reads refused before logging in (common/earlyReads.ts) are asked again, not reused
    await page.getByText(/ qualifiés$/).waitFor();
    await page.close();
  });

  it('logs in and reaches the contact list with the keyboard only', async () => {
    await suite.browser.context.clearCookies();
    const page = await suite.browser.context.newPage();
    await page.goto(`${suite.server.url}/admin/login`);
    await page.getByLabel('Identifiant').focus();
    await page.keyboard.type('claire@fts.test');
    await page.keyboard.press('Tab');
    await page.keyboard.type(TEST_PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: /Bonjour Claire Martin/ }).waitFor();
    const contacts = page.getByRole('menuitem', { name: 'Contacts' });
    for (let i = 0; i < 40 && !(await contacts.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/admin\/contacts$/);
    await page.close();
  });

  it('shows a plain, accessible login page that comes back to the page asked for, and only to the admin', async () => {
    await suite.browser.context.clearCookies();
    const page = await suite.browser.context.newPage();
    await page.goto(`${suite.server.url}/admin/contacts`);
    await page.waitForURL(/\/admin\/login\?suite=%2Fadmin%2Fcontacts$/);
    expect(await page.title()).to.equal('Connexion — Maillage');
    const violations = await seriousAxeViolations(page);
    expect(violations, describeViolations(violations)).to.deep.equal([]);
    await page.getByLabel('Identifiant').fill('claire@fts.test');
    await page.getByLabel('Mot de passe').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Connexion' }).click();
    await page.waitForURL(/\/admin\/contacts$/);
    await page.getByRole('menuitem', { name: 'Contacts' }).waitFor();
    await suite.browser.context.clearCookies();
    await page.goto(`${suite.server.url}/admin/login?suite=${encodeURIComponent('//ailleurs.example/admin')}`);
    await page.getByLabel('Identifiant').fill('claire@fts.test');
    await page.getByLabel('Mot de passe').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Connexion' }).click();
    await page.getByRole('heading', { name: /Bonjour Claire Martin/ }).waitFor();
    expect(new URL(page.url()).host).to.equal(new URL(suite.server.url).host);
    // logging out comes back to the same page; an empty field is named, not sent
    await page.getByRole('button', { name: /menu du compte/ }).click();
    await page.getByRole('menuitem', { name: 'Déconnexion' }).click();
    await page.waitForURL(/\/admin\/login/);
    await page.getByLabel('Identifiant').fill('claire@fts.test');
    await page.getByRole('button', { name: 'Connexion' }).click();
    await page.getByText('Saisissez votre identifiant et votre mot de passe.').waitFor();
    expect(await page.evaluate(() => document.activeElement?.id)).to.equal('mot-de-passe');
    await page.close();
  });

  it('shows the dashboard without serious accessibility violations', async () => {
    const page = await pageAs(suite.browser, suite.server, 'staff');
    await page.goto(`${suite.server.url}/admin/`);
    await page.getByRole('heading', { name: /Bonjour/ }).waitFor();
    await page.getByRole('heading', { name: /Abonné·es à la lettre par mois/ }).waitFor(); // the charts come after the figures: checked too
    await screenshot(page, 'dashboard-empty-base');
    const violations = await seriousAxeViolations(page);
    expect(violations, describeViolations(violations)).to.deep.equal([]);
    await page.close();
  });

  it('shows a board member no create or edit button', async () => {
    const page = await pageAs(suite.browser, suite.server, 'board');
    await page.goto(`${suite.server.url}/admin/vocabularies`);
    await page.getByRole('cell', { name: 'Santé mentale' }).or(page.locator('td').first()).first().waitFor();
    expect(await page.getByRole('link', { name: 'Créer' }).count()).to.equal(0);
    expect(await page.getByRole('link', { name: 'Éditer' }).count()).to.equal(0);
    expect(await page.getByRole('menuitem', { name: /Comptes/ }).count()).to.equal(0);
    await screenshot(page, 'board-vocabularies');
    await page.close();
  });

  it('lets an administrator create a staff account, after refusing a common password in French', async () => {
    const page = await pageAs(suite.browser, suite.server, 'admin');
    await page.goto(`${suite.server.url}/admin/users/create`);
    await page.getByLabel('Adresse e-mail *').fill('nouvelle@fts.test');
    await page.getByLabel('Nom *').fill('Nouvelle Collègue');
    await page.getByLabel('Rôle *').click();
    await page.getByRole('option', { name: 'Équipe' }).click();
    await page.getByLabel('Mot de passe *').fill('Motdepasse2026!');
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await page.getByText(/fait partie des plus courants/).first().waitFor();
    await page.getByLabel('Mot de passe *').fill('un mot de passe assez long');
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await page.getByRole('cell', { name: 'nouvelle@fts.test' }).waitFor();
    await screenshot(page, 'users');
    await page.close();
  });
});
