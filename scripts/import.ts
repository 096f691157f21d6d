import { createReadStream, existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { runCli } from '../server/cli.js';
import { uploadFields } from '../server/imports/import.schemas.js';
import { createImport, importDetails, requestCommit, runCommit, storeFile } from '../server/imports/import.service.js';

// npm run import -- <file.csv> [--encoding utf-8|windows-1252] [--delimiter ';'|','|tab|'|']
//   [--mapping '{"Courriel":"email"}'] [--preset mailchimp|brevo|<saved preset>]
//   [--policy fill|overwrite] [--subscribe lettre-mensuelle] [--commit]
// Without --commit: the dry run only (nothing written to the contacts).
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    encoding: { type: 'string' },
    delimiter: { type: 'string' },
    mapping: { type: 'string' },
    preset: { type: 'string' },
    policy: { type: 'string' },
    subscribe: { type: 'string' },
    commit: { type: 'boolean', default: false },
  },
});

await runCli(async (ctx) => {
  const file = positionals[0];
  if (!file || !existsSync(file)) throw new Error(`fichier introuvable : « ${file ?? ''} ». Usage : npm run import -- <fichier.csv> [options]`);
  const { commit, subscribe, ...rest } = values;
  const settings = uploadFields.parse({ ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)), ...(subscribe ? { subscribeList: subscribe } : {}) });
  const stored = await storeFile(createReadStream(file), file, ctx.config.dataDir);
  const created = await createImport(stored, settings);
  const details = await importDetails(String(created._id));
  console.log(`Import ${String(created._id)} : ${details.fileName}, encodage ${details.encoding}, séparateur « ${details.delimiter === '\t' ? 'tabulation' : details.delimiter} »`);
  for (const m of details.mapping) console.log(`  colonne « ${m.header} » → ${m.field}`);
  if (details.problem) throw new Error(details.problem);
  printCounts('Simulation', details.preview!.counts!);
  for (const issue of details.issues.slice(0, 20)) console.log(`  ligne ${issue.line} (${issue.kind}) : ${issue.reason}`);
  if (!commit) {
    console.log('Simulation seulement : relancez avec --commit pour importer.');
    return;
  }
  await requestCommit(String(created._id));
  const done = await runCommit(String(created._id));
  printCounts('Import terminé', done.counts!);
  console.log(`Lignes en erreur : GET /api/imports/${done._id}/errors.csv ; annulation : POST /api/imports/${done._id}/undo`);
});

function printCounts(title: string, c: Record<string, number>): void {
  console.log(
    `${title} : ${c.rows} lignes — ${c.created} créations, ${c.updated} mises à jour, ${c.unchanged} inchangés, ${c.duplicates} doublons fusionnés, ${c.skipped} ignorés (liste d’opposition), ${c.errors} en erreur, ${c.subscribed} abonnés`,
  );
}
