import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { createNews } from '../../server/news/news.service.js';
import { compileNewsletter, previewContent } from '../../server/newsletters/newsletter.service.js';
import { describeViolations, seriousAxeViolations } from '../admin/browser.js';
import { resetDatabase, testConfig } from '../helpers.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const ARTIFACTS = path.resolve('test-artifacts/newsletters');
const CATEGORIES = ['fabrique', 'politique-nationale', 'articles-ouvrages', 'avis-rapports', 'etudes-travaux', 'podcasts-webinaires', 'evenements', 'appels-a-projets', 'offres-emploi'];

describe('newsletter rendering in headless Chromium', function () {
  this.timeout(60_000);
  let context: BrowserContext;
  let profile: string;
  let html: string;

  before(async () => {
    await resetDatabase();
    for (let i = 0; i < 60; i++) {
      await createNews({
        title: i === 0 ? '<script>window.injected = true</script> {{organisation.name}}' : `Actualité n° ${i + 1} : la santé dans les territoires, un titre assez long pour passer à la ligne`,
        category: CATEGORIES[i % CATEGORIES.length],
        publishedAt: new Date(Date.UTC(2026, 9, 1 + (i % 30), 10)),
        url: `https://www.fabrique-territoires-sante.org/2026/10/une-adresse-tres-longue-sans-espace-${'x'.repeat(60)}-${i}/`,
        summary: i === 1 ? `Un mot interminable ${'santé'.repeat(40)} ne doit pas élargir la page.` : 'Résumé de l’actualité, en deux ou trois phrases. '.repeat(3),
      });
    }
    const config = testConfig({ ORG_LOGO_URL: 'https://www.fabrique-territoires-sante.org/logo.png' });
    const { issue } = await compileNewsletter({ config }, '2026-10');
    html = previewContent(config, issue).html;
    profile = mkdtempSync(path.join(os.tmpdir(), 'maillage-chromium-'));
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, locale: 'fr-FR' });
    mkdirSync(ARTIFACTS, { recursive: true });
  });
  after(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  for (const width of [320, 375, 600, 700]) {
    it(`has no horizontal scroll at ${width} px wide, with its 60 items`, async () => {
      const page = await context.newPage();
      await page.setViewportSize({ width, height: 900 });
      await page.setContent(html, { waitUntil: 'load' });
      const { scrollWidth, clientWidth, items } = await page.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth,
        clientWidth: document.documentElement.clientWidth,
        items: document.querySelectorAll('h3').length,
      }));
      expect(items).to.equal(60);
      expect(scrollWidth, `scrollWidth at ${width} px`).to.be.at.most(clientWidth);
      await page.screenshot({ path: path.join(ARTIFACTS, `newsletter-60-items-${width}px.png`), fullPage: true });
      await page.close();
    });
  }

  it('is French, shows a typed <script> as text without running it, and has no image without alt', async () => {
    const page = await context.newPage();
    await page.setContent(html, { waitUntil: 'load' });
    const state = await page.evaluate(() => ({
      lang: document.documentElement.lang,
      injected: (window as unknown as { injected?: boolean }).injected,
      text: document.body.innerText,
      images: document.images.length,
      imagesWithoutAlt: [...document.images].filter((img) => !img.getAttribute('alt')).length,
    }));
    expect(state.images).to.be.greaterThan(0); // the configured logo
    expect(state.lang).to.equal('fr');
    expect(state.injected).to.equal(undefined);
    expect(state.text).to.include('<script>window.injected = true</script> {{organisation.name}}');
    expect(state.imagesWithoutAlt).to.equal(0);
    await page.close();
  });

  it('has no serious or critical WCAG 2.1 AA violation (axe-core), contrast included', async () => {
    const page = await context.newPage();
    await page.setContent(html, { waitUntil: 'load' });
    const violations = await seriousAxeViolations(page);
    expect(violations, describeViolations(violations)).to.deep.equal([]);
    await page.close();
  });
});
