import { normalizeText } from '../lib/normalize.js';
import { Theme } from '../themes/theme.model.js';

/**
 * What the words of an e-mailed request suggest. Staff confirm or correct each suggestion:
 * the activity report counts only confirmed values, so a wrong guess costs a click, never a figure.
 */
const TYPE_WORDS: ReadonlyArray<[type: string, words: RegExp]> = [
  ['relais-emploi', /\b(offre d emploi|fiche de poste|recrut\w*|poste a pourvoir|cdd|cdi|candidature)\b/],
  ['relais-evenement', /\b(colloque|webinaire|seminaire|journee d echanges|rencontre|evenement|conference|save the date)\b/],
  ['mise-en-lien', /\b(mise en (lien|relation)|mettre en (lien|relation)|coordonnees de|contact d un|contact de)\b/],
  ['formation', /\b(formation|stage|etudiant\w*|memoire|master|enseignement)\b/],
  ['intervention', /\b(intervention|intervenir|table ronde)\b/],
  ['presse', /\b(journaliste|article|interview|presse)\b/],
];

export function suggestType(text: string): string {
  const words = normalizeText(text);
  return TYPE_WORDS.find(([, pattern]) => pattern.test(words))?.[0] ?? 'information';
}

/** Themes whose whole name appears in the text (accent- and case-insensitive), most specific first. */
export async function suggestThemes(text: string, limit = 3): Promise<string[]> {
  const words = ` ${normalizeText(text)} `;
  const themes = await Theme.find({}, { name: 1 }).lean();
  return themes
    .map((theme) => ({ id: String(theme._id), name: normalizeText(theme.name) }))
    .filter((theme) => theme.name.length >= 4 && words.includes(` ${theme.name} `))
    .sort((a, b) => b.name.length - a.name.length)
    .slice(0, limit)
    .map((theme) => theme.id);
}
