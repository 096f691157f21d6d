import { backupDatabase } from '../server/ops/backup.service.js';
import { runOpsCli } from '../server/ops/ops.cli.js';

// npm run backup -- maillage-2026-11-22.ejson.gz
const file = process.argv[2];
if (!file || file.startsWith('-')) {
  console.error('Usage : npm run backup -- <fichier.ejson.gz>');
  process.exit(2);
}

await runOpsCli(async (db) => {
  const started = Date.now();
  const manifest = await backupDatabase(db, file);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`Sauvegarde écrite : ${file} (${Object.keys(manifest.collections).length} collections, ${manifest.documents} documents, ${seconds} s)`);
  for (const [name, { count }] of Object.entries(manifest.collections)) console.log(`  ${name.padEnd(28)} ${String(count).padStart(9)}`);
});
