import type { Agenda } from 'agenda';
import type { AppContext } from '../server/context.js';
import { IMPORT_UNDO_JOB, runUndo } from '../server/imports/import.service.js';

/** Undoes a committed import, newest batch first; a re-run continues with the batches not yet undone. */
export const IMPORT_UNDO = IMPORT_UNDO_JOB;

export function defineImportUndo(agenda: Agenda, ctx: AppContext): void {
  agenda.define(IMPORT_UNDO, async (job: { attrs: { data: { importId: string } } }) => {
    const done = await runUndo(job.attrs.data.importId);
    ctx.logger.info({ importId: job.attrs.data.importId, undo: done.undoReport }, 'import undone');
  });
}
