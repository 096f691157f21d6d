import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { senderEntry } from '../server/delivery/isolated-sender.js';
import { BUNDLE_DIR, bundleEntry } from '../server/lib/bundle.js';
import { ensureAdminBuild } from './admin-build.js';

const root = fileURLToPath(new URL('..', import.meta.url));

type ServerEntry = 'main' | 'worker';
const made = new Map<string, Promise<string>>();

/** Where `bundleServer(name)` writes: tests that spawn the app find it there (their global setup makes it). */
export const serverBundleFile = (name: ServerEntry) => path.join(BUNDLE_DIR, `${name}.mjs`);

/**
 * What `npm start` and `npm run worker` run: server/<name>.ts bundled into one file (under a
 * second; once per process). Tests and benchmarks start the app from it too.
 */
export function bundleServer(name: ServerEntry): Promise<string> {
  if (!made.has(name)) made.set(name, bundleEntry(path.join(root, `server/${name}.ts`), () => path.basename(serverBundleFile(name))));
  return made.get(name)!;
}

// `tsx scripts/build.ts [main|worker]`, run by npm before `start` (main) and `worker`, and by
// `npm run build` (both): the admin when its sources changed (not for the worker alone), then
// the server's bundles, and the sending process's for the worker's first mailing.
if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const only = process.argv[2] as ServerEntry | undefined;
  if (only !== 'worker' && ensureAdminBuild()) console.log('Interface d’administration construite dans admin/dist.');
  const names: ServerEntry[] = only ? [only] : ['main', 'worker'];
  // not a top-level await: mocha's setup loads this file as CommonJS
  Promise.all([...names.map(bundleServer), ...(names.includes('worker') ? [senderEntry()] : [])]).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
