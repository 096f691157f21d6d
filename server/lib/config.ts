import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const flag = z
  .enum(['on', 'off', 'true', 'false', '1', '0'])
  .transform((value) => ['on', 'true', '1'].includes(value));

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  PUBLIC_URL: z.url().optional(),
  MONGODB_URI: z.string().regex(/^mongodb(\+srv)?:\/\//, 'doit commencer par mongodb://').optional(),
  DATA_DIR: z.string().default('./data'),
  SMTP_URL: z.string().regex(/^smtps?:\/\//, 'doit commencer par smtp:// ou smtps://').optional(),
  SMTP_MAX_CONNECTIONS: z.coerce.number().int().min(1).max(50).default(5),
  SMTP_RATE_PER_SECOND: z.coerce.number().min(1).max(10000).default(50),
  DKIM_DOMAIN: z.string().optional(),
  DKIM_SELECTOR: z.string().optional(),
  DKIM_PRIVATE_KEY_FILE: z.string().optional(),
  MAIL_FROM: z.string().default('Fabrique Territoires Santé <lettre@fabrique-territoires-sante.org>'),
  BOUNCE_ADDRESS: z.email().optional(),
  BOUNCE_IMAP_URL: z.string().regex(/^imaps?:\/\//, 'doit commencer par imap:// ou imaps://').optional(),
  BOUNCE_WEBHOOK_SECRET: z.string().min(32, 'au moins 32 caractères').optional(),
  SOFT_BOUNCE_LIMIT: z.coerce.number().int().min(1).max(100).default(3),
  CONTACT_IMAP_URL: z.string().regex(/^imaps?:\/\//, 'doit commencer par imap:// ou imaps://').optional(),
  CONTACT_FROM: z.string().optional(),
  CONTACT_ATTACHMENT_MAX_MB: z.coerce.number().min(0).max(100).default(10),
  SOLICITATION_REMINDER_DAYS: z.coerce.number().int().min(1).max(60).default(3),
  ADMIN_EMAIL: z.email().optional(),
  ADMIN_PASSWORD: z.string().min(12, 'au moins 12 caractères').optional(),
  SECRET: z.string().min(32, 'au moins 32 caractères').optional(),
  JOBS: flag.default(true),
  DEMO_DATA: flag.optional(),
  TRUST_PROXY: z.string().default('loopback'),
  SESSION_IDLE_HOURS: z.coerce.number().min(0.05).max(168).default(8),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ORG_NAME: z.string().default('Fabrique Territoires Santé'),
  ORG_ADDRESS: z.string().default('Fabrique Territoires Santé, 4 rue de la Santé, 75013 Paris'),
  ORG_LOGO_URL: z.string().optional(),
  CHROMIUM_PATH: z.string().default('/usr/bin/chromium'),
  NEWS_FEED_URL: z.url().optional(),
  FETCH_ALLOW_HOSTS: z.string().default(''),
  PUBLIC_MAIL_HOURLY_CAP: z.coerce.number().int().min(1).max(100000).default(200),
  NEWS_IMPORT_CRON: z.string().default('0 * * * *'),
  NEWSLETTER_COMPILE_CRON: z.string().default('0 8 1 * *'),
  BACKUP_DIR: z.string().optional(),
  BACKUP_KEEP: z.coerce.number().int().min(1).max(366).default(7),
  BACKUP_CRON: z.string().default('30 2 * * *'),
  IMPORT_MAX_MB: z.coerce.number().int().min(1).max(2048).default(500),
});

export type Config = Readonly<{
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  publicUrl: string;
  mongodbUri: string | undefined;
  dataDir: string;
  smtp: Readonly<{
    url: string | undefined;
    maxConnections: number;
    ratePerSecond: number;
    dkim: Readonly<{ domainName: string; keySelector: string; privateKey: string }> | undefined;
  }>;
  mailFrom: string;
  /** VERP base address, bounce mailbox and provider webhook. */
  bounces: Readonly<{ address: string; imapUrl: string | undefined; webhookSecret: string | undefined; softLimit: number }>;
  /** The association's contact mailbox: requests read from it, answers sent from `from`. */
  solicitations: Readonly<{ imapUrl: string | undefined; from: string; attachmentMaxBytes: number; reminderWorkingDays: number }>;
  firstAdmin: Readonly<{ email: string; password: string }> | undefined;
  secret: string;
  jobsEnabled: boolean;
  demoData: boolean;
  trustProxy: string;
  /** A staff session ends after this long without a request (and 7 days after login in any case). */
  sessionIdleMs: number;
  logLevel: string;
  organisation: Readonly<{ name: string; address: string; logoUrl: string | undefined }>;
  /** The headless browser that prints documents (certificates, receipts, the activity report) to PDF. */
  chromiumPath: string;
  /** Hosts that server-side fetches (news feeds) may reach although their address is internal (loopback, private…). */
  fetchAllowHosts: readonly string[];
  /** Confirmation and acknowledgement e-mails the public forms may send per hour, all addresses together. */
  publicMailHourlyCap: number;
  /** The website's feed imported on a schedule, and when the monthly newsletter draft is compiled (Europe/Paris). */
  news: Readonly<{ feedUrl: string | undefined; importCron: string; newsletterCron: string }>;
  /** Daily archives written by the backup job (Europe/Paris); `cron: undefined` when BACKUP_CRON=off. */
  backup: Readonly<{ dir: string; keep: number; cron: string | undefined }>;
  /** Largest CSV file an import accepts. */
  importMaxBytes: number;
}>;

export class ConfigError extends Error {}

/** Parses the environment once; every key is listed in .env.example. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(stripEmpty(env));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Configuration invalide :\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.DATA_DIR);
  if (e.NODE_ENV === 'production' && !e.SECRET) throw new ConfigError('Configuration invalide : SECRET est obligatoire en production.');
  if (e.NODE_ENV === 'production' && !e.SMTP_URL) throw new ConfigError('Configuration invalide : SMTP_URL est obligatoire en production.');
  // Demo accounts have a published password: only on the embedded database of a development machine.
  if (e.DEMO_DATA && (e.NODE_ENV === 'production' || e.MONGODB_URI)) {
    throw new ConfigError(
      "Configuration invalide : DEMO_DATA ne s'utilise qu'en développement, sur la base embarquée (sans MONGODB_URI ni NODE_ENV=production).",
    );
  }
  if (Boolean(e.ADMIN_EMAIL) !== Boolean(e.ADMIN_PASSWORD)) {
    throw new ConfigError('Configuration invalide : ADMIN_EMAIL et ADMIN_PASSWORD vont ensemble.');
  }
  return Object.freeze({
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ''),
    mongodbUri: e.MONGODB_URI,
    dataDir,
    smtp: Object.freeze({
      url: e.SMTP_URL,
      maxConnections: e.SMTP_MAX_CONNECTIONS,
      ratePerSecond: e.SMTP_RATE_PER_SECOND,
      dkim: readDkim(e.DKIM_DOMAIN, e.DKIM_SELECTOR, e.DKIM_PRIVATE_KEY_FILE),
    }),
    mailFrom: e.MAIL_FROM,
    bounces: Object.freeze({
      address: e.BOUNCE_ADDRESS ?? `bounces@${e.MAIL_FROM.replace(/^.*<|>.*$/g, '').split('@')[1] ?? 'localhost'}`,
      imapUrl: e.BOUNCE_IMAP_URL,
      webhookSecret: e.BOUNCE_WEBHOOK_SECRET,
      softLimit: e.SOFT_BOUNCE_LIMIT,
    }),
    solicitations: Object.freeze({
      imapUrl: e.CONTACT_IMAP_URL,
      from: e.CONTACT_FROM ?? e.MAIL_FROM,
      attachmentMaxBytes: Math.round(e.CONTACT_ATTACHMENT_MAX_MB * 1024 * 1024),
      reminderWorkingDays: e.SOLICITATION_REMINDER_DAYS,
    }),
    firstAdmin: e.ADMIN_EMAIL && e.ADMIN_PASSWORD ? Object.freeze({ email: e.ADMIN_EMAIL, password: e.ADMIN_PASSWORD }) : undefined,
    secret: e.SECRET ?? localSecret(dataDir),
    jobsEnabled: e.JOBS,
    demoData: e.DEMO_DATA ?? (e.NODE_ENV === 'development' && !e.MONGODB_URI),
    trustProxy: e.TRUST_PROXY,
    sessionIdleMs: Math.round(e.SESSION_IDLE_HOURS * 3600 * 1000),
    logLevel: e.NODE_ENV === 'test' && !env.LOG_LEVEL ? 'silent' : e.LOG_LEVEL,
    organisation: Object.freeze({ name: e.ORG_NAME, address: e.ORG_ADDRESS, logoUrl: e.ORG_LOGO_URL }),
    chromiumPath: e.CHROMIUM_PATH,
    fetchAllowHosts: Object.freeze(e.FETCH_ALLOW_HOSTS.split(',').map((host) => host.trim().toLowerCase().replace(/^\[|\]$/g, '')).filter(Boolean)),
    publicMailHourlyCap: e.PUBLIC_MAIL_HOURLY_CAP,
    news: Object.freeze({ feedUrl: e.NEWS_FEED_URL, importCron: e.NEWS_IMPORT_CRON, newsletterCron: e.NEWSLETTER_COMPILE_CRON }),
    backup: Object.freeze({
      dir: path.resolve(e.BACKUP_DIR ?? path.join(dataDir, 'backups')),
      keep: e.BACKUP_KEEP,
      cron: e.BACKUP_CRON === 'off' ? undefined : e.BACKUP_CRON,
    }),
    importMaxBytes: e.IMPORT_MAX_MB * 1024 * 1024,
  });
}

function stripEmpty(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => Boolean(entry[1])));
}

function readDkim(domainName?: string, keySelector?: string, keyFile?: string) {
  if (!domainName && !keySelector && !keyFile) return undefined;
  if (!domainName || !keySelector || !keyFile) {
    throw new ConfigError('Configuration invalide : DKIM_DOMAIN, DKIM_SELECTOR et DKIM_PRIVATE_KEY_FILE vont ensemble.');
  }
  return Object.freeze({ domainName, keySelector, privateKey: readFileSync(keyFile, 'utf8') });
}

/** Outside production a missing SECRET is generated once and kept in the data folder. */
function localSecret(dataDir: string): string {
  const file = path.join(dataDir, 'secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('hex');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}
