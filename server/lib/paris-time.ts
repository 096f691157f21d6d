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
  return parisInstant(`${day}T00:00`);
}

/**
 * The instant when the Paris wall clock reads `local` ("YYYY-MM-DDTHH:mm"). The offset is
 * read back from Intl twice, so a time just after a daylight-saving change gets the new
 * offset; a time that does not exist (02:30 on the last Sunday of March) moves forward.
 */
export function parisInstant(local: string): Date {
  const [day, time = '00:00'] = local.split('T');
  const [year, month, date] = day.split('-').map(Number);
  const [hour, minute] = time.split(':').map(Number);
  const wall = Date.UTC(year, month - 1, date, hour, minute);
  const offsetAt = (instant: number) => {
    const seen = parisParts(new Date(instant));
    return Date.UTC(seen.year, seen.month - 1, seen.day, seen.hour, seen.minute, seen.second) - instant;
  };
  const first = wall - offsetAt(wall);
  return new Date(wall - offsetAt(first));
}

/** "YYYY-MM-DDTHH:mm" of the instant on the Paris wall clock. */
export function parisLocal(date: Date): string {
  const p = parisParts(date);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${p.year}-${two(p.month)}-${two(p.day)}T${two(p.hour)}:${two(p.minute)}`;
}

/** [start, end) of a Paris calendar year, as instants. */
export function parisYearRange(year: number): { start: Date; end: Date } {
  return { start: parisMidnight(`${year}-01-01`), end: parisMidnight(`${year + 1}-01-01`) };
}
