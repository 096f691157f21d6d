import type { AppContext } from '../context.js';
import { AppError } from '../lib/errors.js';
import type { MailContent } from '../delivery/personalize.js';
import type { Actor } from '../users/user.service.js';

/**
 * The delivery feature's mailing engine, as its contract names it. Loaded lazily so this
 * feature builds while the sender is being written in parallel.
 */
export type MailingProgress = { status: string; total: number; sent: number; failed: number; remaining: number; bounced: number; unsubscribed: number };

type MailingApi = {
  createMailing(
    input: { source: { kind: string; id: string }; list: string; segment?: string; content: MailContent; browserUrl?: string },
    actor?: Actor,
  ): Promise<{ id?: string; _id?: unknown }>;
  startMailing(ctx: AppContext, id: string): Promise<unknown>;
  mailingProgress(id: string): Promise<MailingProgress>;
};

const MAILING_SERVICE = '../delivery/mailing.service.js';

export async function mailingApi(): Promise<MailingApi> {
  try {
    return (await import(MAILING_SERVICE)) as MailingApi;
  } catch {
    throw new AppError(503, 'delivery_unavailable', "Le moteur d'envoi n'est pas disponible : la lettre n'a pas été envoyée.");
  }
}

/** True once the mailing has nothing left to send. */
export function mailingFinished(progress: MailingProgress): boolean {
  return ['sent', 'finished', 'done', 'completed'].includes(progress.status) || (progress.total > 0 && progress.remaining === 0 && progress.status !== 'running');
}
