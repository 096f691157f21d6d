/** Words of French prose shared by the reports: fractions and lists. */

/** "près d'un tiers", "la moitié"... when a share is close to a simple fraction. */
const FRACTIONS: Array<[number, string, string]> = [
  [1 / 2, 'la moitié', 'près de la moitié'],
  [1 / 3, 'un tiers', "près d'un tiers"],
  [1 / 4, 'un quart', "près d'un quart"],
  [2 / 3, 'deux tiers', 'près des deux tiers'],
  [3 / 4, 'trois quarts', 'près des trois quarts'],
];
export function fractionWords(share: number): string | undefined {
  const ratio = share / 100;
  for (const [fraction, exact, near] of FRACTIONS) {
    if (Math.abs(ratio - fraction) <= 0.005) return exact;
    if (ratio < fraction && fraction - ratio <= 0.03) return near;
  }
  return undefined;
}

/** "A", "A et B", "A, B et C": one "et", before the last item only. */
export function frenchList(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} et ${items.at(-1)}`;
}
