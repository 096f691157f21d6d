import { execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { findFreePort, GUARD_SCRIPT } from '../server/lib/ferretdb.js';

/**
 * A private PostgreSQL server for the tests and CI: a fresh cluster in a temporary folder, on
 * a free port of 127.0.0.1, run as an unprivileged user (`postgres` when we are root), trusted
 * logins, durability off (it holds throw-away data). Removed when stopped; tied to its parent
 * like the embedded FerretDB, so a killed test run leaves no server behind.
 *
 * `PG_URL=postgres://user@host:port/db` uses a running server instead.
 */
export type PrivatePostgres = { url: string; stop(): Promise<void> };

/** FerretDB's guard, asking PostgreSQL for a fast shutdown (SIGINT; SIGTERM would wait for every client). */
const PG_GUARD_SCRIPT = GUARD_SCRIPT.replaceAll('kill -TERM', 'kill -INT');

/** Debian installs one folder per major version under /usr/lib/postgresql; the newest wins. */
export function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(path.join(root, v, 'bin', 'initdb'))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) throw new Error("PostgreSQL est introuvable (/usr/lib/postgresql/*/bin) : `bash scripts/system-deps.sh` l'installe (paquet Debian postgresql).");
  return path.join(root, newest, 'bin');
}

/** The user the server runs as: ourselves, or `postgres` when we are root (PostgreSQL refuses root). */
function serverUser(): { uid: number; gid: number; prefix: string[] } {
  if (process.getuid?.() !== 0) return { uid: process.getuid!(), gid: process.getgid!(), prefix: [] };
  const [uid, gid] = ['-u', '-g'].map((flag) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim()));
  return { uid, gid, prefix: ['setpriv', `--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--'] };
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = postgresBinDir();
  const user = serverUser();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'maillage-postgres-'));
  const data = path.join(dir, 'data');
  chownSync(dir, user.uid, user.gid);
  const run = (command: string, args: string[]) => {
    const [file, ...rest] = [...user.prefix, path.join(bin, command), ...args];
    execFileSync(file, rest, { stdio: 'pipe', cwd: dir });
  };
  try {
    run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync']);
    const port = await findFreePort();
    const settings = ['listen_addresses=127.0.0.1', `unix_socket_directories=${dir}`, 'fsync=off', 'synchronous_commit=off', 'full_page_writes=off'];
    const server = [...user.prefix, path.join(bin, 'postgres'), '-D', data, '-p', String(port), ...settings.flatMap((s) => ['-c', s])];
    const child = spawn('/bin/sh', ['-c', PG_GUARD_SCRIPT, 'postgres-guard', ...server], { stdio: ['pipe', 'ignore', 'pipe'], cwd: dir });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
    await waitUntilReady(bin, port, child, () => stderr);
    return {
      url,
      async stop() {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
          await exited;
          clearTimeout(timer);
        }
        child.stdin.destroy();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

async function waitUntilReady(bin: string, port: number, child: { exitCode: number | null }, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`PostgreSQL s'est arrêté au démarrage (code ${child.exitCode}) :\n${stderr()}`);
    try {
      execFileSync(path.join(bin, 'pg_isready'), ['-q', '-h', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`PostgreSQL ne répond pas sur le port ${port} après 30 s :\n${stderr()}`);
}

/** Runs SQL on the server of `url` (database `postgres`), with the psql of the same installation. */
export function psql(url: string, sql: string): string {
  const server = new URL(url);
  server.pathname = '/postgres';
  return execFileSync(path.join(postgresBinDir(), 'psql'), [server.toString(), '-qAtc', sql], { encoding: 'utf8', stdio: 'pipe' });
}

// `tsx scripts/private-postgres.ts`: starts one, prints `PG_URL=...`, stops it on SIGTERM/SIGINT (CI).
// (No top-level await: the test suite loads this file through a CommonJS require.)
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  void startPrivatePostgres().then((cluster) => {
    console.log(`PG_URL=${cluster.url}`);
    const stop = () => void cluster.stop().then(() => process.exit(0));
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}
