import mongoose from 'mongoose';
import { defineJobs } from '../../jobs/index.js';
import { createApp } from '../../server/app.js';
import { connectDatabase } from '../../server/lib/db.js';
import { createLogger } from '../../server/lib/logger.js';
import { createScheduler } from '../../server/lib/scheduler.js';
import { testConfig } from '../helpers.js';
import { httpServerFor } from '../../server/lib/http-server.js';

/**
 * The app in a process of its own, for the memory test: it reports its resident set size
 * (peak since the last reset) to the parent over IPC, so only the server's memory is measured.
 * Mocha loads every file under test/: it only starts when forked by import-memory.test.ts.
 */
async function main(): Promise<void> {
  const config = testConfig(process.env.DATA_DIR ? { DATA_DIR: process.env.DATA_DIR } : {});
  await connectDatabase(process.env.TEST_MONGODB_URI!);
  const logger = createLogger('silent');
  const scheduler = createScheduler(mongoose.connection.db as never, logger, { processEvery: 200 });
  const ctx = { config, logger, scheduler };
  defineJobs(ctx);
  await scheduler.start();
  let peak = 0;
  let peakHeap = 0;
  setInterval(() => {
    const usage = process.memoryUsage();
    peak = Math.max(peak, usage.rss);
    peakHeap = Math.max(peakHeap, usage.heapUsed + usage.external + usage.arrayBuffers);
  }, 20).unref();
  const server = httpServerFor(createApp(ctx)).listen(0, '127.0.0.1', () => {
    process.send!({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}` });
  });
  process.on('message', (message: string) => {
    if (message === 'gc-and-reset') {
      global.gc?.();
      peak = process.memoryUsage().rss;
      peakHeap = 0;
      process.send!({ baseline: peak });
    } else if (message === 'peak') {
      process.send!({ peak: Math.max(peak, process.memoryUsage().rss), heap: peakHeap });
    } else if (message === 'stop') {
      server.close();
      void scheduler.stop().then(() => process.exit(0));
    }
  });
}

if (process.env.MAILLAGE_MEMORY_SERVER === '1' && process.send) void main();
