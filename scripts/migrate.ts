import { parseArgs } from 'node:util';
import { migrationId, runMigrations, schemaState } from '../server/ops/migration.service.js';
import { runOpsCli } from '../server/ops/ops.cli.js';

// npm run migrate [-- --status]
const { values } = parseArgs({ options: { status: { type: 'boolean' } } });

await runOpsCli(async (db, { logger }) => {
  if (values.status) {
    const state = await schemaState(db);
    console.log(`Schéma de la base : ${state.current} ; attendu par l'application : ${state.expected}.`);
    for (const migration of state.pending) console.log(`  à appliquer : ${migrationId(migration)}`);
    return;
  }
  const applied = await runMigrations(db, logger);
  const { current } = await schemaState(db);
  console.log(applied.length ? `Migrations appliquées : ${applied.join(', ')} (schéma ${current}).` : `Rien à migrer (schéma ${current}).`);
});
