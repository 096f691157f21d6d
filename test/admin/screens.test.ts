import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { createContact } from '../../server/contacts/contact.service.js';
import { clientAs, type TestServer } from '../helpers.js';
import { describeViolations, missingTranslations, pageAs, screenshot, seriousAxeViolations, useAdminBrowser } from './browser.js';

const YEAR = new Date().getFullYear();

/** Every error the page shows or throws while we look at it. */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('response', (r) => {
    if (r.url().includes('/api/') && r.status() >= 400) errors.push(`${r.status()} ${r.url()}`);
  });
  return errors;
}

describe('the admin in a browser: every screen', () => {
  const suite = useAdminBrowser({ seed });
  async function seed(server: TestServer) {
    const { client } = await clientAs(server, 'staff');
    const contact = await createContact({ email: 'adherente@fts.test', firstName: 'Inès', lastName: 'Adhérente', territories: ['commune-93066'] });
    const post = async (path: string, body: unknown) => {
      const reply = await client.post(path, body);
      expect(reply.status, `${path}: ${reply.text}`).to.be.oneOf([200, 201]);
      return reply.body;
    };
    await post('/api/fee-schedules', { year: YEAR, fees: [{ category: 'personne-physique', amount: 30 }] });
    await post('/api/memberships', { contact: String(contact._id), year: YEAR, category: 'personne-physique' });
    await post('/api/solicitations', { channel: 'email', requesterEmail: 'demande@fts.test', type: 'information', requesterType: 'collectivite', subject: 'Ressources sur les CLSM' });
    await post('/api/segments', { name: 'Seine-Saint-Denis', filter: { territories: ['departement-93'] } });
  }

  it('shows the dashboard with its key figures and charts, without serious accessibility violations', async function () {
    this.timeout(30_000);
    const page = await pageAs(suite.browser, suite.server, 'staff');
    const errors = watchErrors(page);
    const reads: string[] = [];
    page.on('request', (request) => request.url().includes('/api/') && reads.push(new URL(request.url()).pathname));
    await page.goto(`${suite.server.url}/admin/`);
    await page.getByRole('heading', { name: 'Sollicitations ouvertes' }).waitFor();
    await page.getByRole('heading', { name: `Abonné·es à la lettre par mois (${YEAR})` }).waitFor();
    await page.locator('.recharts-surface').first().waitFor();
    await page.getByText('1 reçues cette année').waitFor();
    // Its reads start before the app has loaded (the first paint) and are not asked again when it draws.
    for (const path of ['/api/auth/me', '/api/dashboard/counts', '/api/reports/activity', '/api/dashboard/campaigns']) {
      expect(reads.filter((read) => read === path), path).to.have.length(1);
    }
    await screenshot(page, 'dashboard');
    const violations = await seriousAxeViolations(page);
    expect(violations, describeViolations(violations)).to.deep.equal([]);
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Télécharger (CSV)' }).click();
    expect((await download).suggestedFilename()).to.match(/\.csv$/);
    expect(errors).to.deep.equal([]);
    expect(missingTranslations(page)).to.deep.equal([]);
    await page.close();
  });

  const screens: [string, string, string][] = [
    ['memberships', 'Inès Adhérente', 'memberships'],
    ['solicitations', 'Ressources sur les CLSM', 'solicitations'],
    ['segments', 'Seine-Saint-Denis', 'segments'],
    ['lists', 'Lettre', 'lists'],
    ['subscriptions', '', 'subscriptions'],
    ['news', '', 'news'],
    ['newsletters', '', 'newsletters'],
    ['imports', '', 'imports'],
    ['organisations', '', 'organisations'],
    ['themes', 'Santé mentale', 'themes'],
    ['territories', 'Île-de-France', 'territories'],
    ['vocabularies', 'Collectivité — commune', 'vocabularies'],
    ['outbox', '', 'outbox'],
  ];
  for (const [path, text, name] of screens) {
    it(`opens the ${path} screen without an error`, async function () {
      this.timeout(30_000);
      const page = await pageAs(suite.browser, suite.server, 'staff');
      const errors = watchErrors(page);
      await page.goto(`${suite.server.url}/admin/${path}`);
      await page.locator('#main-content').waitFor();
      if (text) await page.getByText(text).first().waitFor();
      await page.waitForLoadState('networkidle');
      await screenshot(page, name);
      expect(errors).to.deep.equal([]);
      expect(missingTranslations(page)).to.deep.equal([]);
      expect(await page.getByText(/Not found|Error|undefined/).count()).to.equal(0);
      await page.close();
    });
  }

  for (const [path, text] of [
    ['contacts', 'Inès Adhérente'],
    ['', 'Sollicitations ouvertes'],
  ]) {
    it(`fits the ${path || 'dashboard'} screen on a tablet (768 px) without horizontal page scroll`, async function () {
      this.timeout(30_000);
      const page = await pageAs(suite.browser, suite.server, 'staff');
      await page.setViewportSize({ width: 768, height: 1024 });
      await page.goto(`${suite.server.url}/admin/${path}`);
      await page.getByText(text).first().waitFor();
      await page.waitForLoadState('networkidle');
      await screenshot(page, `tablet-${path || 'dashboard'}`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).to.be.at.most(0);
      await page.close();
    });
  }
});
