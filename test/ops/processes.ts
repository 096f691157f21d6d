import { spawn, type ChildProcess } from 'node:child_process';
import { serverBundleFile } from '../../scripts/build.js';
import { TEST_SECRET } from '../helpers.js';

/** A real app (server/main.ts) or worker process, run from its bundle as `npm start` does, its JSON log lines kept. */
export type AppProcess = {
  child: ChildProcess;
  url?: string;
  output(): string;
  exited: Promise<number | null>;
  stop(): Promise<void>;
};

export function baseEnv(mongodbUri: string, extra: Record<string, string> = {}): Record<string, string> {
  const { MONGODB_URI: _ignored, ...parent } = process.env as Record<string, string>;
  return {
    ...parent,
    NODE_ENV: 'test',
    MONGODB_URI: mongodbUri,
    SECRET: TEST_SECRET,
    PORT: '0',
    HOST: '127.0.0.1',
    PUBLIC_URL: 'http://maillage.test',
    DATA_DIR: process.env.TEST_DATA_DIR!,
    LOG_LEVEL: 'info',
    DEMO_DATA: 'off',
    ...extra,
  };
}

/**
 * Starts the app (`server/main.ts`) and waits for its URL, or the worker (`server/worker.ts`)
 * and waits until `ready(pid)` holds (e.g. its scheduler heartbeat is in the database).
 */
export async function startProcess(
  script: 'server/main.ts' | 'server/worker.ts',
  env: Record<string, string>,
  options: { ready?: (pid: number) => Promise<boolean>; timeoutMs?: number } = {},
): Promise<AppProcess> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const child = spawn(process.execPath, [serverBundleFile(script === 'server/main.ts' ? 'main' : 'worker')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const proc: AppProcess = {
    child,
    output: () => output,
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL'); // not left running behind the failed test
      reject(new Error(`${script} did not start in time:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const listening = /"url":"(http:\/\/[^"]+)"[^\n]*"msg":"HTTP server listening"/.exec(output);
      if (listening) proc.url = listening[1];
      if (listening) {
        clearTimeout(timer);
        resolve();
      }
    };
    if (options.ready) {
      const poll = async () => {
        if (child.exitCode !== null) return;
        if (await options.ready!(child.pid!).catch(() => false)) {
          clearTimeout(timer);
          return resolve();
        }
        setTimeout(() => void poll(), 200);
      };
      void poll();
    }
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      if (!proc.url) reject(Object.assign(new Error(`${script} exited with ${code}:\n${output}`), { code, output }));
      resolve();
    });
  });
  return proc;
}
