import { readFile } from 'node:fs/promises';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Plugin } from 'esbuild';

/** Under node_modules, so that the packages a bundle imports resolve from it. */
export const BUNDLE_DIR = path.join(path.dirname(createRequire(import.meta.url).resolve('mongoose/package.json')), '..', '.cache', 'maillage');

/**
 * Bundles one of this project's TypeScript entry points with esbuild into a single JavaScript
 * file that plain `node` runs, packages left as imports. Starting through tsx instead compiles
 * every file at each start and keeps its module hooks and their thread alive for the life of
 * the process: about a second of CPU and a hundred megabytes of memory. `fileName` receives the
 * bundle's content hash. The file is written whole (renamed into place), only when it changed.
 */
export async function bundleEntry(source: string, fileName: (contentHash: string) => string): Promise<string> {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [source],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    write: false,
    logLevel: 'silent',
    plugins: [keepModuleUrls],
  });
  const code = result.outputFiles[0].contents;
  const file = path.join(BUNDLE_DIR, fileName(createHash('sha256').update(code).digest('hex').slice(0, 16)));
  if (!existsSync(file) || !readFileSync(file).equals(code)) {
    mkdirSync(BUNDLE_DIR, { recursive: true });
    const partial = `${file}.${process.pid}.partial`;
    writeFileSync(partial, code);
    renameSync(partial, file);
  }
  return file;
}

/**
 * In one bundle every module would share the bundle's `import.meta.url`; the files that find
 * their data next to themselves (templates, reference data, FerretDB's sources) keep their own.
 */
const keepModuleUrls: Plugin = {
  name: 'keep-module-urls',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, async (args) => {
      if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      const source = await readFile(args.path, 'utf8');
      return { contents: source.replace(/\bimport\.meta\.url\b/g, JSON.stringify(pathToFileURL(args.path).href)), loader: 'ts' };
    });
  },
};
