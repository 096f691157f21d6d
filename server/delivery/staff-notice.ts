import type { AppContext } from '../context.js';
import type { Logger } from '../lib/logger.js';
import { renderEmail } from '../templates/render.js';
import { User } from '../users/user.model.js';
import { sendTransactional } from './transactional.js';

export type StaffNotice = { title: string; paragraphs: string[]; action?: { url: string; label: string } };

/** One e-mail to every active staff member and administrator (template `staff-notice`). */
export async function notifyStaff(ctx: Pick<AppContext, 'config'> & { logger: Logger }, notice: StaffNotice): Promise<void> {
  const staff = await User.find({ role: { $in: ['admin', 'staff'] }, active: true }, { email: 1 }).lean();
  if (!staff.length) return;
  const email = await renderEmail('staff-notice', notice, ctx.config);
  for (const user of staff) {
    try {
      await sendTransactional(ctx, { to: user.email, ...email });
    } catch (error) {
      ctx.logger.error({ err: error }, 'staff notice not sent');
    }
  }
}
