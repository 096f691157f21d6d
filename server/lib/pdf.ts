import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { AppError } from './errors.js';

const TIMEOUT_MS = 60_000;
let queue: Promise<unknown> = Promise.resolve();

/**
 * Prints an HTML document to an A4 PDF with headless Chromium (its `@page` rules apply). One
 * print at a time: each Chromium takes a few hundred megabytes.
 */
export function htmlToPdf(html: string, chromiumPath: string): Promise<Buffer> {
  const run = queue.then(() => printOnce(html, chromiumPath));
  queue = run.catch(() => undefined);
  return run;
}

async function printOnce(html: string, chromiumPath: string): Promise<Buffer> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'maillage-pdf-'));
  try {
    const source = path.join(dir, 'document.html');
    const target = path.join(dir, 'document.pdf');
    await writeFile(source, html);
    await runChromium(chromiumPath, [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--no-pdf-header-footer',
      `--user-data-dir=${path.join(dir, 'profile')}`,
      `--print-to-pdf=${target}`,
      pathToFileURL(source).href,
    ]);
    return await readFile(target).catch(() => {
      throw unavailable('Chromium n’a pas produit de fichier.');
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function runChromium(executable: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(executable, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(unavailable(error.code === 'ENOENT' ? `Chromium est introuvable (${executable}) : installez-le ou réglez CHROMIUM_PATH.` : error.message));
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(unavailable(signal ? 'Chromium a été arrêté (trop long).' : `Chromium a échoué (code ${code}). ${stderr.trim().split('\n').pop() ?? ''}`));
    });
  });
}

const unavailable = (reason: string) => new AppError(503, 'pdf_unavailable', `Le PDF n’a pas pu être produit. ${reason}`);
