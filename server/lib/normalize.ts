/** Accent- and case-insensitive form used by every search field ("Échirolles" → "echirolles"). */
export function normalizeText(value: string): string {
  return value
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9@.]+/g, ' ')
    .trim();
}

export function normalizeEmail(value: string): string {
  return value.trim().toLowerCase();
}

/** Escapes a user string for use inside a RegExp. */
export function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
