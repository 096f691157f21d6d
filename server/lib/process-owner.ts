import { randomBytes } from 'node:crypto';
import os from 'node:os';

/** This process, for leases and claims: host and pid let a restarted process on the same host take over at once. */
export const OWNER = `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;

/** A lease or claim held by a process of this host that no longer exists (killed) can be taken at once. */
export function ownerIsDead(owner: string): boolean {
  const [host, pid] = owner.split(':');
  if (host !== os.hostname() || owner === OWNER) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
