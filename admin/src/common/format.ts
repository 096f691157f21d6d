/** Numbers as French readers write them: "1 214", "62,3 %", "250 €" (ordinary spaces, so copies paste cleanly). */
const plainSpaces = (text: string) => text.replace(/[\u202f\u00a0]/g, ' ');

export const formatNumber = (value: number, digits = 0) =>
  plainSpaces(new Intl.NumberFormat('fr-FR', { maximumFractionDigits: digits }).format(value));

/** `ratio` is a fraction (0.623 → "62,3 %"). */
export const formatPercent = (ratio: number, digits = 1) =>
  plainSpaces(new Intl.NumberFormat('fr-FR', { style: 'percent', maximumFractionDigits: digits }).format(ratio));

/** Whole euros without decimals ("250 €"), cents when there are some ("12,50 €"). */
export const formatEuros = (amount: number) =>
  plainSpaces(
    new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR', minimumFractionDigits: Number.isInteger(amount) ? 0 : 2 }).format(amount),
  );

/** Today in the browser's own calendar ("YYYY-MM-DD"), not UTC's: after midnight in Paris it is already tomorrow. */
export const today = () => new Date().toLocaleDateString('sv-SE');
