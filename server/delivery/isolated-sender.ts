import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import mongoose from 'mongoose';
import type { AppContext } from '../context.js';
import { bundleEntry } from '../lib/bundle.js';
import type { SenderReport, SenderStart } from './sender-process.js';
import type { RunOutcome } from './sender.js';

/** The sending process's heap: its live data is a few tens of MB; the rest would be garbage kept for later. */
const SENDER_HEAP_MB = 128;
/**
 * V8 without its helper threads (concurrent marking, background compilation): they saved the
 * sending process little time and cost it about a tenth more CPU (bench/send, bench/RESULTS.md).
 */
const SENDER_V8_FLAGS = ['--single-threaded'];

/**
 * Runs a mailing in a process of its own. Sending allocates for every message; a process
 * whose heap is capped keeps that memory bounded and apart from the worker's other jobs, and
 * gives it back when the mailing ends. The child stops if this process dies (its IPC channel
 * closes); the event log lets the next run resume without sending anyone twice.
 */
export async function runMailingInChildProcess(
  ctx: Pick<AppContext, 'config'>,
  mailingId: string,
  options: { touch?: () => Promise<unknown>; onStart?: (child: ChildProcess) => void } = {},
): Promise<RunOutcome> {
  const entry = await senderEntry();
  const child = fork(entry.file, [], { execArgv: [...entry.execArgv, `--max-old-space-size=${SENDER_HEAP_MB}`, ...SENDER_V8_FLAGS] });
  options.onStart?.(child);
  const start: SenderStart = { config: ctx.config, databaseUri: databaseUri(ctx), mailingId };
  child.send(start);
  return new Promise<RunOutcome>((resolve, reject) => {
    child.on('message', (message: SenderReport) => {
      if ('touch' in message) void options.touch?.();
      else if ('outcome' in message) resolve(message.outcome as RunOutcome);
      else reject(new Error(`Échec du processus d'envoi : ${message.error}`));
    });
    child.once('exit', (code, signal) => reject(new Error(`Le processus d'envoi s'est arrêté sans résultat (${signal ?? `code ${code}`}).`)));
  });
}

const SOURCE = fileURLToPath(new URL('./sender-process.ts', import.meta.url));
let bundle: Promise<string | undefined> | undefined;

/**
 * What the sending process runs: sender-process.ts bundled by esbuild, with its packages, into
 * one JavaScript file run without tsx (0.8 CPU-seconds saved per mailing, as much as sending
 * 2,000 messages, and 0.25 more for the packages). Made by the build step (`npm run worker`) or
 * else by the first mailing, then kept while its sources are unchanged (server/lib/bundle.ts).
 * Named by its content, so that a worker still running an older version never forks the newer
 * one's code. If it cannot be made, the TypeScript runs through tsx.
 */
export async function senderEntry(): Promise<{ file: string; execArgv: string[] }> {
  const file = await (bundle ??= bundleEntry(SOURCE, (hash) => `sender-process-${hash}.mjs`, { withPackages: true }).catch(() => undefined));
  if (!file) return { file: SOURCE, execArgv: process.execArgv };
  // tsx's own flags (`--require …/tsx/…`, `--import …tsx…`) are left out; others (e.g. --cpu-prof) kept.
  const execArgv = process.execArgv.filter((arg, i, all) => !/tsx/.test(arg) && !(/^--(require|import)$/.test(arg) && /tsx/.test(all[i + 1] ?? '')));
  return { file, execArgv };
}

/** The database this process uses: the configured one, or the embedded server it started. */
function databaseUri(ctx: Pick<AppContext, 'config'>): string {
  const { host, port, name } = mongoose.connection;
  return ctx.config.mongodbUri ?? `mongodb://${host}:${port}/${name}`;
}
