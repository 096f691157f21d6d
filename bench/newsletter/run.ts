/**
 * bench/newsletter: compiles an issue of 500 news items (database read, Handlebars, MJML
 * strict, plain text), then personalises it for 10,000 recipients (signed unsubscribe and
 * preferences links, names, e-mail) as the sender does. Prints both times and peak RSS.
 * Targets: compile < 2 s, personalisation > 5,000 recipients/s.
 *
 *   npx tsx bench/newsletter/run.ts [--items 500] [--recipients 10000] [--runs 5]
 *   (MONGODB_URI=... to use an existing server instead of a fresh FerretDB)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Types } from 'mongoose';
import { loadReferenceData } from '../../fixtures/index.js';
import { personalize, type MailContent } from '../../server/delivery/personalize.js';
import { loadConfig } from '../../server/lib/config.js';
import { connectDatabase, disconnectDatabase } from '../../server/lib/db.js';
import { startFerretdb } from '../../server/lib/ferretdb.js';
import { News } from '../../server/news/news.model.js';
import { newsCategories, newsSearchText } from '../../server/news/news.service.js';
import { compileNewsletter } from '../../server/newsletters/newsletter.service.js';
import { preferencesUrl, unsubscribeUrl } from '../../server/subscriptions/subscription.links.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const ITEMS = arg('items', 500);
const RECIPIENTS = arg('recipients', 10_000);
const RUNS = arg('runs', 5);

const peakRssMiB = () => Math.round(process.resourceUsage().maxRSS / 1024);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const dataDir = process.env.MONGODB_URI ? undefined : mkdtempSync(path.join(os.tmpdir(), 'maillage-bench-newsletter-'));
const ferretdb = dataDir ? await startFerretdb({ storage: { kind: 'sqlite', dir: dataDir } }) : undefined;
try {
  await connectDatabase(process.env.MONGODB_URI ?? ferretdb!.uri);
  await News.deleteMany({ feedUrl: 'bench' });
  await loadReferenceData();
  const config = loadConfig({ NODE_ENV: 'test', SECRET: 'bench-secret-0123456789-abcdefghijklmnop', PUBLIC_URL: 'https://maillage.example.org', DATA_DIR: os.tmpdir() });

  const categories = await newsCategories();
  const summary = 'La Fabrique relaie une publication sur la santé dans les quartiers prioritaires, avec des retours d’expérience de coordinateurs et coordinatrices de contrats locaux de santé. ';
  await News.insertMany(
    Array.from({ length: ITEMS }, (_, i) => {
      const title = `Actualité ${i + 1} : santé mentale, alimentation et accès aux droits dans les territoires`;
      return {
        title,
        url: `https://www.fabrique-territoires-sante.org/2026/10/actualite-${i + 1}/`,
        summary: summary.repeat(2).trim(),
        publishedAt: new Date(Date.UTC(2026, 9, 1 + (i % 30), 8 + (i % 12))),
        category: categories[i % categories.length]._id,
        source: 'feed',
        feedUrl: 'bench',
        guid: `bench-${i}`,
        searchText: newsSearchText({ title, summary }),
      };
    }),
  );

  // Compile: the first run creates the draft, the next ones refresh it (same work).
  const compileTimes: number[] = [];
  let content: MailContent | undefined;
  for (let run = 0; run < RUNS; run++) {
    const start = performance.now();
    const { issue } = await compileNewsletter({ config }, '2026-10');
    compileTimes.push(performance.now() - start);
    content = issue.content as MailContent;
  }
  const compileRss = peakRssMiB();

  // Personalise, as the sender does per recipient: signed links, then substitution.
  const start = performance.now();
  let bytes = 0;
  for (let i = 0; i < RECIPIENTS; i++) {
    const id = new Types.ObjectId().toString();
    const message = personalize(content!, {
      firstName: 'Camille',
      lastName: `Martin-${i}`,
      email: `camille.martin.${i}@example.org`,
      unsubscribeUrl: unsubscribeUrl(config, id),
      preferencesUrl: preferencesUrl(config, id),
      browserUrl: 'https://maillage.example.org/lettres/octobre-2026',
    });
    bytes += message.html.length + message.text.length;
  }
  const personaliseMs = performance.now() - start;
  const perSecond = Math.round((RECIPIENTS / personaliseMs) * 1000);

  console.log(`bench/newsletter — ${ITEMS} items, ${RECIPIENTS} recipients, Node ${process.version}`);
  console.log(`compiled issue: ${(content!.html.length / 1024).toFixed(0)} KiB HTML, ${(content!.text.length / 1024).toFixed(0)} KiB text`);
  console.log(`compile (read + Handlebars + MJML strict + text): first ${compileTimes[0].toFixed(0)} ms, median of ${RUNS} ${median(compileTimes).toFixed(0)} ms  (target < 2000 ms: ${median(compileTimes) < 2000 ? 'met' : 'MISSED'})`);
  console.log(`peak RSS after compile: ${compileRss} MiB`);
  console.log(`personalise ${RECIPIENTS}: ${personaliseMs.toFixed(0)} ms, ${perSecond} recipients/s, ${(bytes / 1024 / 1024).toFixed(0)} MiB produced  (target > 5000/s: ${perSecond > 5000 ? 'met' : 'MISSED'})`);
  console.log(`peak RSS overall: ${peakRssMiB()} MiB`);
  await News.deleteMany({ feedUrl: 'bench' });
} finally {
  await disconnectDatabase();
  await ferretdb?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}
