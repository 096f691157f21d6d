import { parseArgs } from 'node:util';
import { runOpsCli } from '../server/ops/ops.cli.js';
import { describeRestore, restoreDatabase, verifyArchive } from '../server/ops/restore.service.js';

// npm run restore -- [--force] [--check] maillage-2026-11-22.ejson.gz
const { values, positionals } = parseArgs({ allowPositionals: true, options: { force: { type: 'boolean' }, check: { type: 'boolean' } } });
const file = positionals[0];
if (!file) {
  console.error('Usage : npm run restore -- [--force] [--check] <fichier.ejson.gz>\n  --check  vérifie seulement l’archive\n  --force  remplace une base non vide');
  process.exit(2);
}

await runOpsCli(async (db) => {
  if (values.check) {
    const manifest = await verifyArchive(file);
    console.log(`Archive intacte : ${file} (${manifest.documents} documents, schéma ${manifest.schemaVersion}, du ${manifest.createdAt}).`);
    return;
  }
  console.log(describeRestore(file, await restoreDatabase(db, file, { force: values.force })));
});
