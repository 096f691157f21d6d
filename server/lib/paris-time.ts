/**
 * Calendar arithmetic in the association's time zone. A membership year, a report year and
 * "the date of a solicitation" are Paris calendar notions: 31 December 23:30 in Paris is
 * still the old year although it is already 1 January in UTC... or the other way round.
 */
export const TIME_ZONE = 'Europe/Paris';

const partsFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/** The Paris wall-clock reading of an instant. */
export function parisParts(date: Date): { year: number; month: number; day: number; hour: number; minute: number; second: number } {
  const parts = Object.fromEntries(partsFormat.formatToParts(date).map((p) => [p.type, p.value]));
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
  };
}

export function parisYear(date: Date): number {
  return parisParts(date).year;
}

/** `YYYY-MM-DD` of the instant in Paris. */
export function parisDay(date: Date): string {
  const { year, month, day } = parisParts(date);
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** The instant when the Paris wall clock reads `day` (YYYY-MM-DD) at 00:00. */
export function parisMidnight(day: string): Date {
  return parisTime(`${day}T00:00`);
}

/** The instant when the Paris wall clock reads `local` (YYYY-MM-DDTHH:mm). */
export function parisTime(local: string): Date {
  const [year, month, date, hour, minute] = local.split(/[-T:]/).map(Number);
  const guess = Date.UTC(year, month - 1, date, hour, minute);
  // The offset of Paris at that moment (+1 h in winter, +2 h in summer), read back from Intl.
  const seen = parisParts(new Date(guess));
  const seenAsUtc = Date.UTC(seen.year, seen.month - 1, seen.day, seen.hour, seen.minute, seen.second);
  return new Date(guess - (seenAsUtc - guess));
}

/** [start, end) of a Paris calendar year, as instants. */
export function parisYearRange(year: number): { start: Date; end: Date } {
  return { start: parisMidnight(`${year}-01-01`), end: parisMidnight(`${year + 1}-01-01`) };
}
