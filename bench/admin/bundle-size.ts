import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { ADMIN_DIST, ensureAdminBuild } from '../../scripts/admin-build.js';

/** Prints the gzipped size of every JavaScript file of the admin's production build; fails above the budget. */
export const BUDGET_BYTES = 1.5 * 1024 * 1024;

export function gzippedJsSizes(): { file: string; raw: number; gzip: number }[] {
  const assets = path.join(ADMIN_DIST, 'assets');
  return readdirSync(assets)
    .filter((file) => file.endsWith('.js'))
    .map((file) => {
      const content = readFileSync(path.join(assets, file));
      return { file, raw: content.length, gzip: gzipSync(content, { level: 9 }).length };
    });
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  ensureAdminBuild();
  const sizes = gzippedJsSizes();
  const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  for (const { file, raw, gzip } of sizes) console.log(`${file}\t${kib(raw)}\tgzip ${kib(gzip)}`);
  const total = sizes.reduce((sum, s) => sum + s.gzip, 0);
  console.log(`Total JS gzip: ${kib(total)} (budget ${kib(BUDGET_BYTES)})`);
  if (total > BUDGET_BYTES) process.exitCode = 1;
}
