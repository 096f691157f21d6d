/** Numbers as French readers write them: "1 214", "62,3 %", "250 €" (ordinary spaces, so copies paste cleanly). */
const plainSpaces = (text: string) => text.replace(/[\u202f\u00a0]/g, ' ');

/** One formatter per set of options: making an `Intl.NumberFormat` costs far more than using one. */
const formatters = new Map<string, Intl.NumberFormat>();
const formatter = (options: Intl.NumberFormatOptions) => {
  const key = JSON.stringify(options);
  let found = formatters.get(key);
  if (!found) formatters.set(key, (found = new Intl.NumberFormat('fr-FR', options)));
  return found;
};

export const formatNumber = (value: number, digits = 0) => plainSpaces(formatter({ maximumFractionDigits: digits }).format(value));

/** `ratio` is a fraction (0.623 → "62,3 %"). */
export const formatPercent = (ratio: number, digits = 1) => plainSpaces(formatter({ style: 'percent', maximumFractionDigits: digits }).format(ratio));

/** Whole euros without decimals ("250 €"), cents when there are some ("12,50 €"). */
export const formatEuros = (amount: number) =>
  plainSpaces(formatter({ style: 'currency', currency: 'EUR', minimumFractionDigits: Number.isInteger(amount) ? 0 : 2 }).format(amount));

/** Today in the browser's own calendar ("YYYY-MM-DD"), not UTC's: after midnight in Paris it is already tomorrow. */
export const today = () => new Date().toLocaleDateString('sv-SE');
