import react from '@vitejs/plugin-react';
import { build as esbuild } from 'esbuild';
import { defineConfig, type Plugin } from 'vite';

declare const process: { env: Record<string, string | undefined> }; // no Node types in the browser project

const root = new URL('.', import.meta.url).pathname;

/**
 * The first paint (src/firstPaint/): bundled apart as one small classic script, run by
 * index.html before the app's bundle (a module script of index.html would be bundled with the
 * app and wait for all of it). A file, not inline: the Content-Security-Policy allows no inline
 * script. Build only: in development the app draws everything itself.
 */
function firstPaint(): Plugin {
  let fileName = '';
  let code = '';
  return {
    name: 'maillage-first-paint',
    apply: 'build',
    async buildStart() {
      const result = await esbuild({
        entryPoints: { 'first-paint': `${root}src/firstPaint/index.ts` },
        entryNames: '[name]-[hash]',
        outdir: `${root}dist/assets`,
        bundle: true,
        minify: true,
        format: 'iife',
        target: 'es2020',
        write: false,
      });
      const [output] = result.outputFiles;
      code = output.text;
      fileName = `assets/${output.path.split('/').pop()}`;
    },
    // Before the app's module script: deferred scripts run in document order.
    transformIndexHtml: {
      order: 'post',
      handler(html) {
        if (!html.includes('<script type="module"')) throw new Error("index.html n'a plus de script de module : le premier affichage ne peut pas s'y placer.");
        return html.replace('<script type="module"', `<script src="/admin/${fileName}" defer></script>\n    <script type="module"`);
      },
    },
    generateBundle() {
      this.emitFile({ type: 'asset', fileName, source: code });
    },
  };
}

/** Built into admin/dist, served by the API server at /admin; `npm run admin:dev` proxies /api to it. */
export default defineConfig({
  root,
  base: '/admin/',
  plugins: [react(), firstPaint()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
  },
  server: {
    proxy: { '/api': process.env.API_URL ?? 'http://localhost:3000' },
  },
});
