import { expect } from 'chai';
import { describeViolations, missingTranslations, pageAs, screenshot, seriousAxeViolations, useAdminBrowser } from './browser.js';
import { seed2025Report } from '../reports/report-2025.data.js';

const LAST_YEAR = new Date().getFullYear() - 1;

describe('the admin in a browser: the activity report', () => {
  const suite = useAdminBrowser({ seed: () => seed2025Report() });

  it(`opens the last complete year's report from the dashboard, readable with its charts, tables and downloads`, async function () {
    this.timeout(90_000);
    const page = await pageAs(suite.browser, suite.server, 'staff');
    await page.goto(`${suite.server.url}/admin/`);
    await page.getByRole('link', { name: `Lire le rapport ${LAST_YEAR} à l'écran` }).click();
    await page.waitForURL(new RegExp(`/admin/rapport-activite\\?annee=${LAST_YEAR}$`));
    await page.waitForFunction((year) => document.title === `Rapport d'activité ${year} — Maillage`, LAST_YEAR);
    // The fixture is shaped like 2025; pick it whatever this year is.
    await page.goto(`${suite.server.url}/admin/rapport-activite?annee=2025`);
    const article = page.getByRole('article', { name: 'Texte du rapport 2025' });
    await article.getByText('Fabrique Territoires Santé a reçu 120 sollicitations en 2025').waitFor();
    await article.getByRole('cell', { name: 'Collaboration / appui' }).waitFor();
    await page.getByRole('heading', { name: 'Sollicitations par type de demandeur (2025)' }).waitFor();
    await page.locator('.recharts-surface').first().waitFor();
    await page.getByText('3 630 €', { exact: true }).waitFor();
    await page.getByText('517', { exact: true }).waitFor();
    await screenshot(page, 'activity-report-2025');
    const violations = await seriousAxeViolations(page);
    expect(violations, describeViolations(violations)).to.deep.equal([]);
    for (const [label, name] of [['Markdown', 'rapport-activite-2025.md'], ['CSV', 'rapport-activite-2025.csv'], ['PDF', 'rapport-activite-2025.pdf']]) {
      const download = page.waitForEvent('download', { timeout: 60_000 });
      await page.getByRole('button', { name: `Télécharger (${label})` }).click();
      expect((await download).suggestedFilename()).to.equal(name);
    }
    await page.getByRole('combobox', { name: 'Année' }).click();
    await page.getByRole('option', { name: '2024' }).click();
    await page.waitForURL(/annee=2024$/);
    await page.getByRole('article', { name: 'Texte du rapport 2024' }).getByText("Aucune sollicitation n'a été enregistrée en 2024.").waitFor();
    expect(missingTranslations(page)).to.deep.equal([]);
    await page.close();
  });

  it('writes the dashboard figures the French way', async function () {
    this.timeout(30_000);
    const page = await pageAs(suite.browser, suite.server, 'staff');
    await page.goto(`${suite.server.url}/admin/`);
    await page.getByText(/% qualifiés/).waitFor();
    const text = await page.locator('#main-content').innerText();
    expect(text).to.match(/\d+(,\d)? % qualifiés/);
    expect(text).not.to.match(/\d\.\d+ %|adhésion\(s\)|envoi\(s\)/);
    await page.close();
  });
});
