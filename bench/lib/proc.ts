/**
 * What the processes of a benchmark cost, read from Linux's own accounting in /proc: CPU
 * seconds (user + system, including the children each process has waited for) and peak
 * resident memory, per role (the bench or app process, a sending child, the embedded
 * database…), with wall-clock time. Benches print the result as `name=value` lines.
 *
 *   const meter = new ProcessMeter({ bench: process.pid, database: db.process.pid });
 *   meter.add('sender', child.pid);   // a process started later
 *   …
 *   const figures = await meter.stop();
 *   printFigures({ ...otherFigures, ...figures.fields() });
 *
 * A role is a process and its descendants, minus the descendants that are roles of their own.
 * Every process's figure includes its waited-for children (cutime/cstime), so CPU spent by a
 * short-lived helper is not lost between two samples; when a role's process exits and its
 * parent (another role) waits for it, the time it had at the last sample is taken back from
 * the parent, so nothing is counted twice.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ: fixed at 100 on Linux for /proc/<pid>/stat
const SAMPLE_MS = 250;
const LIST_EVERY = 4;

export type ProcStat = { pid: number; ppid: number; ownTicks: number; childrenTicks: number };

/** /proc/<pid>/stat: parent, own user + system ticks, waited-for children's ticks; undefined once gone. */
export function readProcStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Fields after the command name (which may contain spaces and parentheses): state is field 3.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const field = (n: number) => Number(fields[n - 3]);
  return { pid, ppid: field(4), ownTicks: field(14) + field(15), childrenTicks: field(16) + field(17) };
}

/** The kernel's high-water mark of resident memory (VmHWM), in bytes; 0 once gone. */
export function peakRssBytes(pid: number): number {
  try {
    return Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

/** Resets VmHWM to the current RSS, so a peak is the peak of what follows (Linux ≥ 4.0; best effort). */
export function resetPeakRss(pid: number): void {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    // not permitted: the peak then covers the process's whole life
  }
}

/** A process's children, from each of its threads' `children` lists (the threads that forked them). */
function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) =>
      readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean).map(Number),
    );
  } catch {
    return [];
  }
}

type Role = {
  name: string;
  pid: number;
  /** The role that contains this role's process (its parent waits for it), if any. */
  parentRole?: Role;
  baselineTicks: number;
  lastTicks: number;
  alive: boolean;
  peakRss: number;
  members?: number[];
};

export type Figures = {
  wallSeconds: number;
  cpuSeconds: Record<string, number>;
  peakRssMb: Record<string, number>;
  /**
   * name=value pairs: wall_seconds, cpu_seconds_<role>, cpu_seconds_total (roles not excluded),
   * peak_rss_mb_<role>, peak_rss_mb (the largest of the `peakOf` roles, by default those counted).
   */
  fields(options?: { exclude?: string[]; peakOf?: string[] }): Record<string, number>;
};

/** Samples the CPU time and peak memory of named process trees until stopped. */
export class ProcessMeter {
  private roles: Role[] = [];
  private samples = 0;
  private readonly started = performance.now();
  private readonly timer: NodeJS.Timeout;

  constructor(roots: Record<string, number | undefined>) {
    const entries = Object.entries(roots).filter((entry): entry is [string, number] => Boolean(entry[1]));
    for (const [name, pid] of entries) this.roles.push(newRole(name, pid));
    for (const role of this.roles) this.place(role, true);
    this.timer = setInterval(() => this.sample(), SAMPLE_MS);
    this.timer.unref();
  }

  /** Adds a role; by default all of its CPU counts (a process started during the measure). */
  add(name: string, pid: number, options: { baseline?: boolean } = {}): void {
    const role = newRole(name, pid);
    this.roles.push(role);
    this.place(role, options.baseline ?? false);
  }

  private place(role: Role, baseline: boolean): void {
    resetPeakRss(role.pid);
    const ppid = readProcStat(role.pid)?.ppid;
    role.parentRole = this.roles.find((r) => r !== role && ppid !== undefined && this.members(r).includes(ppid));
    if (baseline) role.baselineTicks = this.ticksOf(this.members(role));
    role.lastTicks = role.baselineTicks;
  }

  /** The role's process and its descendants, without those of other roles. */
  private members(role: Role): number[] {
    const otherRoots = new Set(this.roles.filter((r) => r !== role).map((r) => r.pid));
    const found = [role.pid];
    for (let i = 0; i < found.length; i++) found.push(...childrenOf(found[i]).filter((pid) => !otherRoots.has(pid)));
    return found;
  }

  /** Own + waited-for children's ticks of these processes. */
  private ticksOf(pids: number[]): number {
    let ticks = 0;
    for (const pid of pids) {
      const stat = readProcStat(pid);
      if (stat) ticks += stat.ownTicks + stat.childrenTicks;
    }
    return ticks;
  }

  private sample(): void {
    // Listing descendants reads every thread's `children` file (FerretDB runs dozens of threads):
    // done once a second; the figures of the processes already known are read at each sample.
    const listing = this.samples++ % LIST_EVERY === 0;
    for (const role of this.roles.filter((r) => r.alive)) {
      if (listing || !role.members) role.members = this.members(role);
      const ticks = this.ticksOf(role.members);
      // Gone (waited for) before or during this sample: its last figure stands.
      if (!readProcStat(role.pid)) {
        role.alive = false;
        continue;
      }
      role.lastTicks = ticks;
      for (const pid of listing ? role.members : [role.pid]) role.peakRss = Math.max(role.peakRss, peakRssBytes(pid));
    }
  }

  /** Takes a last sample and returns the figures since the meter started (or each role was added). */
  stop(): Figures {
    this.samples = 0; // a listing sample: every process and its peak
    this.sample();
    clearInterval(this.timer);
    const wallSeconds = (performance.now() - this.started) / 1000;
    const cpuSeconds: Record<string, number> = {};
    const peakRssMb: Record<string, number> = {};
    for (const role of this.roles) {
      // A role whose process ended and was waited for by another role: that role's children
      // ticks now hold it, so it is taken back from there.
      const reapedChildRoles = this.roles.filter((r) => r.parentRole === role && !r.alive);
      const ticks = role.lastTicks - role.baselineTicks - reapedChildRoles.reduce((sum, r) => sum + r.lastTicks, 0);
      cpuSeconds[role.name] = round(ticks / TICKS_PER_SECOND);
      peakRssMb[role.name] = Math.round(role.peakRss / 1024 / 1024);
    }
    return {
      wallSeconds: round(wallSeconds),
      cpuSeconds,
      peakRssMb,
      fields({ exclude = [], peakOf } = {}) {
        const counted = Object.keys(cpuSeconds).filter((name) => !exclude.includes(name));
        const out: Record<string, number> = { wall_seconds: round(wallSeconds) };
        for (const name of Object.keys(cpuSeconds)) out[`cpu_seconds_${name}`] = cpuSeconds[name];
        out.cpu_seconds_total = round(counted.reduce((sum, name) => sum + cpuSeconds[name], 0));
        for (const name of Object.keys(peakRssMb)) out[`peak_rss_mb_${name}`] = peakRssMb[name];
        out.peak_rss_mb = Math.max(0, ...(peakOf ?? counted).map((name) => peakRssMb[name] ?? 0));
        return out;
      },
    };
  }
}

const newRole = (name: string, pid: number): Role => ({ name, pid, baselineTicks: 0, lastTicks: 0, alive: true, peakRss: 0 });

const round = (n: number) => Math.round(n * 100) / 100;

/** Prints `name=value` lines, one per figure, in order (the last lines of a bench's output). */
export function printFigures(figures: Record<string, number | string>): void {
  for (const [name, value] of Object.entries(figures)) console.log(`${name}=${value}`);
}
