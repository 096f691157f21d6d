import { readFile } from 'node:fs/promises';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Plugin } from 'esbuild';

/** Under node_modules, so that the packages a bundle imports resolve from it. */
export const BUNDLE_DIR = path.join(path.dirname(createRequire(import.meta.url).resolve('mongoose/package.json')), '..', '.cache', 'maillage');

/**
 * Bundles one of this project's TypeScript entry points with esbuild into a single JavaScript
 * file that plain `node` runs, packages left as imports unless `withPackages`. Starting through
 * tsx instead compiles every file at each start and keeps its module hooks and their thread
 * alive for the life of the process: about a second of CPU and a hundred megabytes of memory.
 * `fileName` receives the bundle's content hash. The file is written whole (renamed into
 * place), only when it changed. A bundle whose inputs (every file esbuild read, by size and
 * modification time) did not change since it was made, and which is still the file it wrote, is
 * used again without running esbuild.
 */
export async function bundleEntry(source: string, fileName: (contentHash: string) => string, options: { withPackages?: boolean } = {}): Promise<string> {
  const key = createHash('sha256').update(`${source}${options.withPackages ? '+packages' : ''}`).digest('hex').slice(0, 12);
  const manifest = path.join(BUNDLE_DIR, `${path.basename(source)}-${key}.inputs.json`); // one per checkout
  const unchanged = unchangedBundle(manifest, source);
  if (unchanged) return unchanged;
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [source],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    metafile: true,
    logLevel: 'silent',
    plugins: [keepModuleUrls],
    ...(options.withPackages ? WITH_PACKAGES : { packages: 'external' }),
  });
  const code = result.outputFiles[0].contents;
  const file = path.join(BUNDLE_DIR, fileName(createHash('sha256').update(code).digest('hex').slice(0, 16)));
  if (!existsSync(file) || !readFileSync(file).equals(code)) writeWhole(file, code);
  const inputs = Object.keys(result.metafile.inputs).map((input) => path.resolve(input));
  writeWhole(manifest, JSON.stringify({ source, file, made: stamp(file), inputs: Object.fromEntries(inputs.map((input) => [input, stamp(input)])) }));
  return file;
}

/** `made`: the bundle's own stamp. Another checkout sharing node_modules writes the same file name. */
type Manifest = { source: string; file: string; made?: string; inputs: Record<string, string | undefined> };

function unchangedBundle(manifest: string, source: string): string | undefined {
  try {
    const made = JSON.parse(readFileSync(manifest, 'utf8')) as Manifest;
    if (made.source !== source || !made.made || stamp(made.file) !== made.made) return undefined;
    return Object.entries(made.inputs).every(([input, was]) => stamp(input) === was) ? made.file : undefined;
  } catch {
    return undefined; // none yet, or unreadable: made again
  }
}

function stamp(file: string): string | undefined {
  try {
    const { size, mtimeMs } = statSync(file);
    return `${size}:${mtimeMs}`;
  } catch {
    return undefined;
  }
}

function writeWhole(file: string, content: string | Uint8Array): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}.partial`;
  writeFileSync(partial, content);
  renameSync(partial, file);
}

/**
 * `withPackages`: the packages go into the bundle too. Node then reads and compiles one file
 * instead of resolving and loading hundreds (the sending process starts on a quarter less CPU).
 * Packages that only some drivers' options load (compression, Kerberos, AWS…) stay out, as do
 * those that find files next to themselves; the CommonJS ones among the bundled get a `require`.
 */
const WITH_PACKAGES = {
  external: ['kerberos', '@mongodb-js/zstd', 'snappy', 'mongodb-client-encryption', 'gcp-metadata', 'socks', 'aws4', '@aws-sdk/credential-providers', 'esbuild', 'mjml', 'mailparser', 'pino-pretty'],
  banner: { js: "import { createRequire as createRequireForPackages } from 'node:module'; const require = createRequireForPackages(import.meta.filename);" },
};

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
