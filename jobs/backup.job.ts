import type { Agenda } from 'agenda';
import mongoose from 'mongoose';
import type { AppContext } from '../server/context.js';
import type { Config } from '../server/lib/config.js';
import { scheduleRecurring } from '../server/lib/scheduler.js';
import { rotateBackup } from '../server/ops/backup.service.js';

/** The daily archive in BACKUP_DIR, keeping the BACKUP_KEEP newest (see docs/production.md). */
export const BACKUP = 'maintenance:backup';

export function defineBackup(agenda: Agenda, ctx: AppContext): void {
  agenda.define(
    BACKUP,
    async () => {
      const { file, manifest, removed } = await rotateBackup(mongoose.connection.db!, ctx.config.backup.dir, ctx.config.backup.keep);
      ctx.logger.info({ file, documents: manifest.documents, removed: removed.length }, 'backup written');
    },
    { lockLifetime: 60 * 60_000 },
  );
}

export async function scheduleBackup(agenda: Agenda, config: Config): Promise<void> {
  if (!config.backup.cron) {
    await agenda.cancel({ name: BACKUP });
    return;
  }
  await scheduleRecurring(agenda, config.backup.cron, BACKUP, { timezone: 'Europe/Paris', skipImmediate: true });
}
