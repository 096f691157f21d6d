import { spawn } from 'node:child_process';
import path from 'node:path';
import { bundleServer } from '../../scripts/build.js';

export type BenchApp = { url: string; pid: number; kill(signal: NodeJS.Signals): void };

/**
 * The app in a process of its own, as in production (its bundle, `NODE_ENV=production`, JOBS=off, info
 * logs read and dropped as a log shipper would), on the given database and SMTP sink.
 * `onError`: each error-level log line (a benchmark shows the first ones).
 */
export async function startBenchApp(options: { mongodbUri: string; smtpPort: number; dir: string; onError?: (line: string) => void }): Promise<BenchApp> {
  const env = {
    ...process.env,
    NODE_ENV: 'production',
    MONGODB_URI: options.mongodbUri,
    SECRET: 'bench-secret-0123456789-abcdefghijklmnop',
    SMTP_URL: `smtp://127.0.0.1:${options.smtpPort}`,
    PUBLIC_URL: 'http://maillage.bench',
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: path.join(options.dir, 'data'),
    JOBS: 'off',
    LOG_LEVEL: 'info',
  };
  // BENCH_APP_NODE_ARGS: extra Node flags for the app only, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile it.
  const nodeArgs = (process.env.BENCH_APP_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, await bundleServer('main')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the app did not start:\n${output}`)), 120_000);
    const onData = (chunk: Buffer) => {
      if (options.onError) for (const line of chunk.toString().split('\n')) if (/"level":(50|60)/.test(line)) options.onError(line);
      if (output.length < 100_000) output += chunk.toString();
      const listening = /"url":"(http:\/\/[^"]+)"[^\n]*"msg":"HTTP server listening"/.exec(output);
      if (listening) {
        clearTimeout(timer);
        output = '';
        resolve(listening[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`the app exited (${code}):\n${output}`)));
  });
  return { url, pid: child.pid!, kill: (signal) => child.kill(signal) };
}
