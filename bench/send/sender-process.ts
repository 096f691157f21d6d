/**
 * The sending half of bench/send, in a process of its own so its peak RSS is the sender's:
 * connects to the database, runs the real sender on one mailing, reports over IPC.
 */
import { createMailer } from '../../server/delivery/mailer.js';
import { runMailing } from '../../server/delivery/sender.js';
import { loadConfig } from '../../server/lib/config.js';
import { connectDatabase, disconnectDatabase } from '../../server/lib/db.js';
import { createLogger } from '../../server/lib/logger.js';

const [uri, mailingId, smtpUrl, connections] = process.argv.slice(2);
const config = loadConfig({
  NODE_ENV: 'test',
  MONGODB_URI: uri,
  SECRET: 'bench-secret-0123456789-abcdefghijklmnop',
  PUBLIC_URL: 'https://maillage.example.org',
  SMTP_URL: smtpUrl,
  SMTP_MAX_CONNECTIONS: connections,
  SMTP_RATE_PER_SECOND: '10000',
  DATA_DIR: '/tmp/maillage-bench-send',
});
await connectDatabase(uri);
const baselineRss = process.memoryUsage().rss;
let peakRss = baselineRss;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
const mailer = createMailer(config, 'bulk');
const started = Date.now();
const outcome = await runMailing({ config, logger: createLogger('warn') }, mailingId, { mailer });
const seconds = (Date.now() - started) / 1000;
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage().rss);
mailer.close();
await disconnectDatabase();
process.send!({ outcome, seconds, baselineRss, peakRss });
