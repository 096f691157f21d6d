import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = fileURLToPath(new URL('..', import.meta.url));
export const ADMIN_DIST = path.join(root, 'admin/dist');
const BUILT_MARK = path.join(ADMIN_DIST, 'index.html');
const SOURCES = ['admin/src', 'admin/public', 'admin/index.html', 'admin/vite.config.ts', 'package-lock.json'].map((p) => path.join(root, p));

function newestMtime(file: string): number {
  const stat = statSync(file);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(file).map((name) => newestMtime(path.join(file, name))));
}

/** True when admin/dist is missing or older than a source file of the admin. */
export function adminBuildIsStale(): boolean {
  if (!existsSync(BUILT_MARK)) return true;
  const built = statSync(BUILT_MARK).mtimeMs;
  return SOURCES.some((source) => existsSync(source) && newestMtime(source) > built);
}

/** Builds the admin with Vite (about 2 s) into admin/dist. */
export function buildAdmin(): void {
  const vite = path.join(root, 'node_modules/.bin/vite');
  const result = spawnSync(vite, ['build', '--config', 'admin/vite.config.ts', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`La construction de l'interface d'administration a échoué (code ${result.status}).`);
  precompress(path.join(ADMIN_DIST, 'assets'));
}

/** Writes `x.js.gz` next to each script and style sheet: the server sends them to browsers that accept gzip. */
function precompress(dir: string): void {
  for (const name of readdirSync(dir)) {
    if (/\.(js|css)$/.test(name)) writeFileSync(path.join(dir, `${name}.gz`), gzipSync(readFileSync(path.join(dir, name)), { level: 9 }));
  }
}

export function ensureAdminBuild(): boolean {
  if (!adminBuildIsStale()) return false;
  buildAdmin();
  return true;
}

// `tsx scripts/admin-build.ts [--if-stale]`: npm's prestart builds only when needed.
if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  if (process.argv.includes('--if-stale')) {
    if (ensureAdminBuild()) console.log('Interface d’administration construite dans admin/dist.');
  } else {
    buildAdmin();
  }
}
