import { parisMidnight, parisParts } from '../lib/paris-time.js';

/**
 * Months in Paris time. A newsletter covers every item published between 00:00 on the 1st
 * and 00:00 on the 1st of the next month, Europe/Paris (UTC+1 in winter, UTC+2 in summer).
 */
export const MONTH_PATTERN = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** The UTC instant of 00:00 Paris time on the 1st of a month (month 1–12; 13 rolls over). */
function parisMonthStart(year: number, month: number): Date {
  const [y, m] = month > 12 ? [year + 1, month - 12] : [year, month];
  return parisMidnight(`${y}-${String(m).padStart(2, '0')}-01`);
}

export function monthBounds(month: string): { start: Date; end: Date } {
  const match = MONTH_PATTERN.exec(month);
  if (!match) throw new Error(`invalid month ${month}`);
  const [year, m] = [Number(match[1]), Number(match[2])];
  return { start: parisMonthStart(year, m), end: parisMonthStart(year, m + 1) };
}

/** The month (YYYY-MM) an instant belongs to, in Paris time. */
export function monthOf(at: Date): string {
  const { year, month } = parisParts(at);
  return `${year}-${String(month).padStart(2, '0')}`;
}

/** The month before the one `now` falls in (Paris time): what the job of the 1st compiles. */
export function previousMonth(now: Date): string {
  const [year, month] = monthOf(now).split('-').map(Number);
  return month === 1 ? `${year - 1}-12` : `${year}-${String(month - 1).padStart(2, '0')}`;
}

const MONTH_NAMES = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'];

/** "octobre 2026". */
export function monthLabel(month: string): string {
  const [year, m] = month.split('-').map(Number);
  return `${MONTH_NAMES[m - 1]} ${year}`;
}

/** "octobre-2026": the web archive's slug. */
export function monthSlug(month: string): string {
  return monthLabel(month).normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/ /g, '-');
}
