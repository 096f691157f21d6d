import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The embedded database: FerretDB (MongoDB wire protocol) built from the Go module proxy
 * and run as a child process of the app, the worker or the test suite.
 */
export const FERRETDB_MODULE = 'github.com/FerretDB/FerretDB';
export const FERRETDB_VERSION = 'v1.24.2';

/**
 * Our patches to FerretDB 1.24, applied before building (bump the suffix when they change):
 * - its SQLite backend looked `_id` up through an expression (`->'$._id'`) that differs from
 *   its `_id` index's (`->"_id"`), so SQLite never used the index: every find, update or
 *   delete by `_id` read the whole table. Also answers `_id: {$in: [...]}` from the index;
 * - its leak tracking (a stack capture, a pprof entry and a finalizer for every iterator)
 *   ran in release builds too: about a quarter of the time to read documents;
 * - over PostgreSQL, update and findAndModify wrote while their query still held a pool
 *   connection: about 50 concurrent writes (an import's history entries) each held one and
 *   waited for a second, and the whole server hung. They now read the matched documents first;
 * - update and findAndModify read, compute and write back by `_id` without a lock: two at once
 *   on one document could lose the first's write (a campaign reopened to draft came back as
 *   "preparing"). Each now holds its collection's lock from the read to the write;
 * - its SQLite backend inserted every batch (100 documents at most) inside an explicit
 *   transaction, where SQLite also keeps a statement journal of the multi-row INSERT, in memory
 *   allocated and freed at each insert. One INSERT statement is atomic on its own: without the
 *   transaction, a small insert (a sender's claims) costs the database a third less CPU;
 * - it answered only a filter on `_id` alone from the `_id` index. The `_id` condition of any
 *   filter is now pushed down, ranges ($gt, $gte, $lt, $lte) included: a mailing's deliveries
 *   and events are read by their `_id` range (`deliveriesOf`, `eventsOf`) instead of a scan of
 *   every mailing's (2,000 among 100,000: 2.8 CPU-seconds of the database, 0.07 with the range);
 * - the allocator of its C-to-Go SQLite (modernc.org/memory) unmapped a 1 MB page as soon as its
 *   last block was freed, and SQLite allocates and frees a buffer of tens of KB at most inserts:
 *   a page was mapped and unmapped for nearly every small insert, a fifth of FerretDB's CPU on
 *   them. One empty page per size class is now kept for the next allocation.
 */
const PATCHES = {
  files: ['ferretdb-sqlite-id-index.patch', 'ferretdb-release-resource-tracking.patch', 'ferretdb-write-after-read.patch', 'ferretdb-atomic-updates.patch', 'ferretdb-sqlite-insert-autocommit.patch', 'ferretdb-sqlite-id-range.patch'],
  /** Patched copies of FerretDB's dependencies (at the version its go.mod requires), put in its tree and used instead. */
  dependencies: [{ module: 'modernc.org/memory', version: 'v1.8.0', patch: 'modernc-memory-page-reuse.patch' }],
  suffix: 'maillage.7',
};

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * Built once per user and version, in the user's cache folder (`$XDG_CACHE_HOME` or
 * `~/.cache`), like Go's own module and build caches: a second clone starts at once.
 */
export function ferretdbCacheDir(): string {
  return path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'maillage', 'ferretdb');
}
const defaultBinary = () => path.join(ferretdbCacheDir(), `ferretdb-${FERRETDB_VERSION}-${PATCHES.suffix}`);

export class EmbeddedDatabaseError extends Error {}

/**
 * SQLite commits in its write-ahead log without waiting for the disk (`synchronous=NORMAL`, the
 * setting SQLite recommends with WAL): a crash of FerretDB or of the app loses no committed
 * write, and the base is never corrupted; a power cut or a kernel crash can lose the writes of
 * the last moments before it. The wait for the disk at every commit (FULL, SQLite's default)
 * cost FerretDB 40% more CPU per small write: a mailing claims its messages in ~650 of them.
 */
const SQLITE_SYNCHRONOUS = 'synchronous(normal)';

export type FerretdbStorage = { kind: 'sqlite'; dir: string } | { kind: 'postgresql'; url: string };

export type RunningFerretdb = {
  uri: string;
  /** The TCP port, or the Unix socket's path. */
  port?: number;
  socket?: string;
  process: ChildProcess;
  /** Resolves when FerretDB has stopped, asked to or not. */
  exited: Promise<void>;
  stop(): Promise<void>;
};

/** sun_path holds 108 bytes on Linux, 104 on macOS. */
const MAX_SOCKET_PATH = 100;

/**
 * The embedded database listens only on a Unix socket in its own folder (mode 0700): no
 * other local user can reach it, and no TCP port is open. One socket per process (the app,
 * a worker, a backup command may each run FerretDB over the same files); sockets left by
 * processes that died are removed.
 */
export function privateSocket(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  for (const name of readdirSync(dir)) {
    const pid = /^ferretdb-(\d+)\.sock$/.exec(name)?.[1];
    if (pid && !processAlive(Number(pid))) rmSync(path.join(dir, name), { force: true });
  }
  const socket = path.join(path.resolve(dir), `ferretdb-${process.pid}.sock`);
  if (Buffer.byteLength(socket) > MAX_SOCKET_PATH) {
    throw new EmbeddedDatabaseError(`Le chemin du dossier de données est trop long pour la base embarquée (${socket}) : choisissez un DATA_DIR plus court.`);
  }
  rmSync(socket, { force: true });
  return socket;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Returns the FerretDB binary, building it once (several minutes on a small machine) when it is missing. */
export async function ensureFerretdbBinary(log: (message: string) => void = () => {}): Promise<string> {
  const configured = process.env.FERRETDB_BIN;
  if (configured) {
    if (!existsSync(configured)) throw new EmbeddedDatabaseError(`FERRETDB_BIN pointe vers ${configured}, qui n'existe pas.`);
    return configured;
  }
  const binary = defaultBinary();
  if (!existsSync(binary)) await buildFerretdb(binary, log);
  return binary;
}

/**
 * `go install FerretDB@version` fails here: the proxy refuses the version list that go
 * reads for deprecation notices, and a module-mode build panics without the generated
 * build/version/version.txt. So: download the module, add that file and our patches,
 * build the copy.
 */
async function buildFerretdb(target: string, log: (message: string) => void): Promise<void> {
  if (spawnSync('go', ['version']).error) {
    throw new EmbeddedDatabaseError(
      'Go est introuvable : il sert à construire la base embarquée (FerretDB). ' +
        'Installez Go 1.24 ou plus, ou indiquez une base existante avec MONGODB_URI=mongodb://hôte:27017/maillage.',
    );
  }
  const started = Date.now();
  log(
    `Construction de la base embarquée FerretDB ${FERRETDB_VERSION}, une seule fois pour cet utilisateur ` +
      `(quelques minutes sur une petite machine ; résultat gardé dans ${path.dirname(target)})…`,
  );
  log('Téléchargement du code source de FerretDB et de ses modules (proxy des modules Go)…');
  const download = runGo(['mod', 'download', '-json', `${FERRETDB_MODULE}@${FERRETDB_VERSION}`], os.tmpdir());
  const moduleDir = (JSON.parse(download) as { Dir: string }).Dir;
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'maillage-ferretdb-'));
  try {
    const source = path.join(workDir, 'src');
    cpSync(moduleDir, source, { recursive: true });
    chmodRecursive(source);
    writeFileSync(path.join(source, 'build', 'version', 'version.txt'), `${FERRETDB_VERSION}\n`);
    for (const file of PATCHES.files) applyPatch(path.join(here, file), source);
    for (const dependency of PATCHES.dependencies) usePatchedDependency(source, dependency);
    runGo(['mod', 'download'], source);
    mkdirSync(path.dirname(target), { recursive: true });
    const partial = `${target}.${process.pid}.partial`;
    await compileWithProgress(source, partial, started, log);
    renameSync(partial, target); // atomic: concurrent builders never see half a binary
    log(`FerretDB construit en ${elapsed(started)}.`);
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

/** Copies a module into `source`'s tree, patches it and makes the build use that copy. */
function usePatchedDependency(source: string, { module, version, patch }: { module: string; version: string; patch: string }): void {
  const download = runGo(['mod', 'download', '-json', `${module}@${version}`], os.tmpdir());
  const copy = path.join('third_party', module.replaceAll('/', '_'));
  cpSync((JSON.parse(download) as { Dir: string }).Dir, path.join(source, copy), { recursive: true });
  chmodRecursive(path.join(source, copy));
  applyPatch(path.join(here, patch), path.join(source, copy));
  runGo(['mod', 'edit', `-replace=${module}=./${copy}`], source);
}

const elapsed = (since: number) => {
  const seconds = Math.round((Date.now() - since) / 1000);
  return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`;
};

/**
 * `go build -v` names each package as it compiles it (packages already in Go's build cache
 * are not compiled again); a line every 10 s says how far it got, on every core.
 */
async function compileWithProgress(source: string, output: string, started: number, log: (message: string) => void): Promise<void> {
  const total = runGo(['list', '-deps', './cmd/ferretdb'], source).split('\n').filter(Boolean).length;
  const cores = String(Math.max(1, os.availableParallelism()));
  const child = spawn('go', ['build', '-v', '-p', cores, '-trimpath', '-ldflags=-s -w', '-o', output, './cmd/ferretdb'], {
    cwd: source,
    env: goEnv(),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let compiled = 0;
  let errors = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    for (const line of chunk.split('\n')) {
      if (/^[\w.-]+(\/[\w.~-]+)*$/.test(line.trim())) compiled++;
      else if (line.trim()) errors = (errors + line + '\n').slice(-8000);
    }
  });
  const progress = setInterval(() => log(`FerretDB : ${compiled} paquets compilés sur ${total} au plus, ${elapsed(started)} écoulées…`), 10_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearInterval(progress);
  if (code !== 0) throw new EmbeddedDatabaseError(`La compilation de FerretDB a échoué (code ${code}) :\n${errors}`);
}

const goEnv = () => ({ ...process.env, GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local' });

function runGo(args: string[], cwd: string): string {
  const result = spawnSync('go', args, { cwd, encoding: 'utf8', env: goEnv(), maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) {
    throw new EmbeddedDatabaseError(`La commande « go ${args.join(' ')} » a échoué :\n${result.stderr}`);
  }
  return result.stdout;
}

function applyPatch(patch: string, dir: string): void {
  // The ceiling keeps git from taking an enclosing repository's root as the patch's base.
  const env = { ...process.env, GIT_CEILING_DIRECTORIES: path.dirname(dir) };
  const result = spawnSync('git', ['apply', '--whitespace=nowarn', patch], { cwd: dir, encoding: 'utf8', env });
  if (result.status !== 0) throw new EmbeddedDatabaseError(`Le correctif ${path.basename(patch)} ne s'applique pas à FerretDB :\n${result.stderr ?? result.error}`);
}

function chmodRecursive(dir: string): void {
  spawnSync('chmod', ['-R', 'u+w', dir]);
  chmodSync(dir, 0o755);
}

/**
 * The guard shell keeps FerretDB tied to its parent: it reads its stdin, a pipe held by
 * the parent, and stops FerretDB when that pipe closes, even after a SIGKILL of the parent.
 */
export const GUARD_SCRIPT = `
exec 3<&0
"$@" <&- &
child=$!
trap 'kill -TERM "$child" 2>/dev/null; wait "$child"; exit 0' TERM INT
{ cat <&3 >/dev/null; kill -TERM "$child" 2>/dev/null; } &
wait "$child"
`;

export async function startFerretdb(options: {
  storage: FerretdbStorage;
  database?: string;
  /** Default: a free loopback TCP port. */
  listen?: { port: number } | { socket: string };
  /** Default: the built (or FERRETDB_BIN) binary. */
  binary?: string;
  log?: (message: string) => void;
}): Promise<RunningFerretdb> {
  const binary = options.binary ?? (await ensureFerretdbBinary(options.log));
  const listen = options.listen ?? { port: await findFreePort() };
  // FerretDB keeps a small state file; over PostgreSQL it goes to a temporary folder removed when FerretDB exits.
  const stateDir = options.storage.kind === 'sqlite' ? options.storage.dir : mkdtempSync(path.join(os.tmpdir(), 'maillage-ferretdb-state-'));
  const temporaryStateDir = options.storage.kind === 'postgresql' ? stateDir : undefined;
  mkdirSync(stateDir, { recursive: true });
  const storageArgs =
    options.storage.kind === 'sqlite'
      ? ['--handler=sqlite', `--sqlite-url=file:${path.resolve(options.storage.dir)}/?_pragma=${SQLITE_SYNCHRONOUS}`]
      : ['--handler=postgresql', `--postgresql-url=${options.storage.url}`];
  const args = [
    ...storageArgs,
    `--state-dir=${stateDir}`,
    ...('socket' in listen ? ['--listen-addr=', `--listen-unix=${listen.socket}`] : [`--listen-addr=127.0.0.1:${listen.port}`]),
    '--debug-addr=-',
    '--telemetry=disable',
    '--log-level=error',
  ];
  const child = spawn('/bin/sh', ['-c', GUARD_SCRIPT, 'ferretdb-guard', binary, ...args], {
    stdio: ['pipe', 'ignore', 'pipe'],
    // its own process group: a Ctrl-C in the terminal reaches the app only, which stops the
    // database last (jobs finishing meanwhile still have it), instead of both at once
    detached: true,
    // FerretDB's live heap is small (tens of MB) but it allocates per document read or
    // written: a lazier garbage collector takes a few tens of MB for 10-15 % of its time.
    env: { GOGC: '400', ...process.env },
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      if (temporaryStateDir) rmSync(temporaryStateDir, { recursive: true, force: true });
      resolve();
    }),
  );
  try {
    await waitForListener(listen, child, () => stderr);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  const database = options.database ?? 'maillage';
  const host = 'socket' in listen ? encodeURIComponent(listen.socket) : `127.0.0.1:${listen.port}`;
  return {
    uri: `mongodb://${host}/${database}`,
    ...listen,
    process: child,
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
      child.stdin?.destroy();
    },
  };
}

export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitForListener(listen: { port: number } | { socket: string }, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new EmbeddedDatabaseError(`FerretDB s'est arrêté au démarrage (code ${child.exitCode}) :\n${stderr()}`);
    }
    if (await canConnect(listen)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const where = 'socket' in listen ? `sur ${listen.socket}` : `sur le port ${listen.port}`;
  throw new EmbeddedDatabaseError(`FerretDB n'écoute pas ${where} après 30 s :\n${stderr()}`);
}

export function canConnect(listen: { port: number } | { socket: string }): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = 'socket' in listen ? net.connect(listen.socket) : net.connect(listen.port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
