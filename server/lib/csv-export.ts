/** Byte order mark: French Excel reads the file as UTF-8 only with it. */
export const UTF8_BOM = '\uFEFF';

/**
 * A CSV cell for spreadsheets (French Excel: `;`). Text starting with = + - @, a tab or a
 * carriage return would run as a formula: it is prefixed with an apostrophe. Numbers stay
 * numbers, with a decimal comma.
 */
export function csvCell(value: unknown, delimiter = ';'): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value).replace('.', ',');
  const text = String(value);
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return safe.includes(delimiter) || /["\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** One CSV line (CRLF, as Excel writes them), every cell through `csvCell`. */
export function csvLine(cells: readonly unknown[], delimiter = ';'): string {
  return `${cells.map((cell) => csvCell(cell, delimiter)).join(delimiter)}\r\n`;
}
