import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../server/cli.js';
import { importNewsFeed } from '../server/news/news.import.js';

// npm run news:import -- https://www.example.org/feed/   (or a local RSS/Atom file)
const source = process.argv[2];
if (!source) {
  console.error('Usage : npm run news:import -- <adresse du flux | fichier RSS/Atom>');
  process.exit(2);
}

await runCli(async ({ config }) => {
  const fetching = { allowHosts: config.fetchAllowHosts };
  const result = /^https?:\/\//.test(source)
    ? await importNewsFeed({ url: source }, fetching)
    : await importNewsFeed({ xml: readFileSync(source, 'utf8'), fileName: path.basename(source) }, fetching);
  console.log(`${result.source} : ${result.total} éléments, ${result.created} importés, ${result.skipped} déjà présents.`);
  if (result.unmappedLabels.length) console.log(`Catégories du site sans correspondance : ${result.unmappedLabels.join(', ')}.`);
  for (const error of result.errors) console.log(`Élément ${error.item} : ${error.message}`);
  for (const warning of result.warnings) console.log(`Élément ${warning.item} : ${warning.message}`);
});
