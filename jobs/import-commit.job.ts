import type { Agenda } from 'agenda';
import type { AppContext } from '../server/context.js';
import { IMPORT_COMMIT_JOB, runCommit } from '../server/imports/import.service.js';

/** Commits an import in batches; if a process dies mid-way, the re-run resumes from the import's cursor. */
export const IMPORT_COMMIT = IMPORT_COMMIT_JOB;

export function defineImportCommit(agenda: Agenda, ctx: AppContext): void {
  agenda.define(IMPORT_COMMIT, async (job: { attrs: { data: { importId: string } } }) => {
    const done = await runCommit(job.attrs.data.importId);
    ctx.logger.info({ importId: job.attrs.data.importId, counts: done.counts }, 'import committed');
  });
}
