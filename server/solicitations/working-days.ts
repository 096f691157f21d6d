/**
 * Working days in France: Monday to Friday, except the eleven public holidays (fixed dates,
 * Easter Monday, Ascension, Whit Monday). Days are calendar days in Europe/Paris.
 */
export function workingDaysBetween(from: Date, to: Date): number {
  let count = 0;
  const day = parisDay(from);
  const end = parisDay(to);
  for (day.setUTCDate(day.getUTCDate() + 1); day <= end; day.setUTCDate(day.getUTCDate() + 1)) {
    if (isWorkingDay(day)) count++;
  }
  return count;
}

function isWorkingDay(day: Date): boolean {
  const weekday = day.getUTCDay();
  return weekday !== 0 && weekday !== 6 && !publicHolidays(day.getUTCFullYear()).has(day.toISOString().slice(0, 10));
}

/** A Paris calendar day as a UTC midnight date (only its Y-M-D matters). */
function parisDay(at: Date): Date {
  const ymd = at.toLocaleDateString('sv-SE', { timeZone: 'Europe/Paris' });
  return new Date(`${ymd}T00:00:00Z`);
}

const holidayCache = new Map<number, Set<string>>();
function publicHolidays(year: number): Set<string> {
  let days = holidayCache.get(year);
  if (days) return days;
  const easter = easterSunday(year);
  const shifted = (n: number) => new Date(easter.getTime() + n * 86_400_000).toISOString().slice(0, 10);
  days = new Set([...['01-01', '05-01', '05-08', '07-14', '08-15', '11-01', '11-11', '12-25'].map((md) => `${year}-${md}`), shifted(1), shifted(39), shifted(50)]);
  holidayCache.set(year, days);
  return days;
}

/** Gregorian Easter Sunday (anonymous algorithm), as a UTC midnight date. */
function easterSunday(year: number): Date {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return new Date(Date.UTC(year, month - 1, day));
}
