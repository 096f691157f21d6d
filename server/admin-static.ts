import express, { Router, type RequestHandler } from 'express';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const DEFAULT_DIST = fileURLToPath(new URL('../admin/dist', import.meta.url));

/**
 * The built react-admin app at /admin: hashed assets cached for a year, every other path
 * answered with index.html so the app's own routes survive a reload (SPA fallback).
 */
export function adminStatic(distDir = DEFAULT_DIST): Router {
  const router = Router();
  router.use('/assets', precompressed(path.join(distDir, 'assets')));
  router.use('/assets', express.static(path.join(distDir, 'assets'), { immutable: true, maxAge: '1y', index: false }), (_req, res) => {
    res.status(404).end();
  });
  router.get('/login', loginPage(distDir));
  router.use(express.static(distDir, { index: false, maxAge: 0 }));
  router.get('/{*splat}', (_req, res) => {
    const index = path.join(distDir, 'index.html');
    if (!existsSync(index)) {
      res.status(503).type('text/plain; charset=utf-8').send("L'interface d'administration n'est pas construite : lancez `npm run admin:build`.");
      return;
    }
    res.set('Cache-Control', 'no-cache').sendFile(index);
  });
  return router;
}

/**
 * The login page: a plain HTML form (admin/public/login.html, its script login.js), shown at
 * once, where the React app would first load its whole first bundle to draw two fields. It
 * prefetches that bundle (the files index.html loads), so the screen after logging in opens
 * from the browser's cache.
 */
function loginPage(distDir: string): RequestHandler {
  return (_req, res, next) => {
    if (!existsSync(path.join(distDir, 'login.html'))) return next();
    // read at each request, like index.html below: a rebuilt admin names other files
    const page = withPrefetch(readFileSync(path.join(distDir, 'login.html'), 'utf8'), readFileSync(path.join(distDir, 'index.html'), 'utf8'));
    res.set('Cache-Control', 'no-cache').type('html').send(page);
  };
}

function withPrefetch(login: string, index: string): string {
  const assets = [...index.matchAll(/(?:src|href)="(\/admin\/assets\/[^"]+)"/g)].map((match) => match[1]);
  const links = assets.map((href) => `<link rel="prefetch" href="${href}"${href.endsWith('.js') ? ' as="script" crossorigin' : ' as="style"'} />`).join('\n    ');
  return login.replace('</head>', `    ${links}\n  </head>`);
}

const TYPES: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };

/** The gzipped copy the build wrote (`x.js.gz`), for browsers that accept it; otherwise on to express.static. */
function precompressed(assetsDir: string): RequestHandler {
  return (req, res, next) => {
    const type = TYPES[path.extname(req.path)];
    const file = path.join(assetsDir, path.basename(req.path));
    if (!type || !/\bgzip\b/.test(req.headers['accept-encoding'] ?? '') || !existsSync(`${file}.gz`)) return next();
    res.set({ 'Content-Type': type, 'Content-Encoding': 'gzip', 'Cache-Control': 'public, max-age=31536000, immutable', Vary: 'Accept-Encoding' });
    res.sendFile(`${file}.gz`);
  };
}
