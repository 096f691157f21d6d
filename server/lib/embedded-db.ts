import { rmSync } from 'node:fs';
import path from 'node:path';
import { canConnect, privateSocket, startFerretdb, type RunningFerretdb } from './ferretdb.js';
import type { Logger } from './logger.js';

/**
 * The embedded database, supervised: when FerretDB stops without being asked (killed, out of
 * memory, crashed), it is started again on the same socket after a growing delay, and the
 * MongoDB driver reconnects by itself. Past the last delay it is given up: `failed`, which
 * /api/health/live reports so that whatever runs the app restarts it.
 */
export type EmbeddedDatabaseState = 'up' | 'restarting' | 'failed' | 'stopped';

export type EmbeddedDatabase = {
  uri: string;
  socket: string;
  state(): EmbeddedDatabaseState;
  /** Restarts that succeeded since the app started. */
  restarts(): number;
  stop(): Promise<void>;
};

/** Waits before each successive restart; about a minute in all before giving up. */
export const RESTART_DELAYS_MS = [250, 500, 1000, 2000, 4000, 8000, 15_000, 30_000];
/** Up for this long, a FerretDB that stops again starts the delays afresh. */
const STABLE_AFTER_MS = 60_000;

let current: EmbeddedDatabase | undefined;

/** The embedded database of this process, if it runs one (health reads its state). */
export const embeddedDatabase = (): EmbeddedDatabase | undefined => current;

export async function startEmbeddedDatabase(options: {
  dataDir: string;
  logger: Logger;
  binary?: string;
  delaysMs?: readonly number[];
}): Promise<EmbeddedDatabase> {
  const { logger } = options;
  const delays = options.delaysMs ?? RESTART_DELAYS_MS;
  const dir = path.join(options.dataDir, 'db');
  const socket = privateSocket(dir);
  const start = () => startFerretdb({ storage: { kind: 'sqlite', dir }, listen: { socket }, binary: options.binary, log: (message) => logger.info(message) });

  let running: RunningFerretdb = await start();
  let state: EmbeddedDatabaseState = 'up';
  let upSince = Date.now();
  let failures = 0;
  let restarts = 0;
  let timer: NodeJS.Timeout | undefined;

  const watch = (instance: RunningFerretdb) =>
    void instance.exited.then(() => {
      if (state !== 'up' || instance !== running) return;
      // closing its pipe makes the guard stop a FerretDB it left behind (the guard shell itself was killed)
      instance.process.stdin?.destroy();
      if (Date.now() - upSince > STABLE_AFTER_MS) failures = 0;
      logger.error({ code: instance.process.exitCode, signal: instance.process.signalCode }, 'embedded database stopped unexpectedly; restarting it');
      scheduleRestart();
    });

  const scheduleRestart = () => {
    if (failures >= delays.length) {
      state = 'failed';
      logger.fatal({ attempts: failures }, 'embedded database could not be restarted; giving up');
      return;
    }
    state = 'restarting';
    timer = setTimeout(() => void restart(), delays[failures]);
  };

  const restart = async () => {
    failures++;
    try {
      await socketReleased(socket);
      rmSync(socket, { force: true });
      const instance = await start();
      if (state === 'stopped') return void (await instance.stop());
      running = instance;
      state = 'up';
      upSince = Date.now();
      restarts++;
      logger.warn({ attempt: failures, restarts }, 'embedded database restarted');
      watch(instance);
    } catch (error) {
      logger.error({ err: error, attempt: failures }, 'embedded database restart failed');
      if (state !== 'stopped') scheduleRestart();
    }
  };

  watch(running);
  const db: EmbeddedDatabase = {
    uri: running.uri,
    socket,
    state: () => state,
    restarts: () => restarts,
    async stop() {
      state = 'stopped';
      clearTimeout(timer);
      await running.stop();
      rmSync(socket, { force: true });
      if (current === db) current = undefined;
    },
  };
  current = db;
  return db;
}

/** A FerretDB left behind by a killed guard closes its socket when stopped: wait for it (5 s at most). */
async function socketReleased(socket: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline && (await canConnect({ socket }))) await new Promise((resolve) => setTimeout(resolve, 100));
}
