import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

const FIRST = ['Hélène', 'François', 'Zoé', 'Jérôme', 'Anaïs', 'Noël', 'Camille', 'Léa', 'Inès', 'Hugo'];
const LAST = ['Lefèvre', 'Nœud', 'Dupré', 'Çelik', 'Béranger', 'Ledoux', 'Martin', 'Petit', 'Durand', 'Bernard'];
const TERRITORIES = ['93', 'Seine-Saint-Denis', '93200', 'Auvergne-Rhône-Alpes', 'Nord', '75', '69001', 'Saint-Denis (93)'];
const THEMES = ['Santé mentale', 'Précarité', 'Alimentation', 'Santé des jeunes', 'Parentalité'];

/** 50 free-text functions as staff write them, each with the function staff map it to. */
const ROLES: [string, string][] = [['Coordinatrice', 'coordo-cls'], ['Coordonnateur', 'coordo-cls'], ['Coordo', 'coordo-asv'], ['Chargée de mission', 'charge-mission'], ['Chargé de mission', 'charge-mission']];
const SCOPES = ['ASV', 'CLS', 'CLSM', 'santé', 'PV', 'territorial', 'prévention', 'réseau', 'jeunesse', 'handicap'];
export const FREE_TEXT_FUNCTIONS: { value: string; code: string }[] = ROLES.flatMap(([role, code]) => SCOPES.map((scope) => ({ value: `${role} ${scope}`, code })));

/**
 * A French Excel-like CSV (semicolons, CRLF, UTF-8) of `rows` contacts with accents, themes
 * and territories; `padding` adds a long note to each row to reach a given file size.
 */
export async function generateCsv(file: string, rows: number, options: { padding?: number; prefix?: string; functions?: boolean } = {}): Promise<void> {
  const out = createWriteStream(file);
  const pad = options.padding ? 'x'.repeat(options.padding) : '';
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  await write(`Prénom;Nom;Adresse e-mail;Code postal;Thématiques;Commentaire${options.functions ? ';Fonction' : ''}\r\n`);
  for (let i = 0; i < rows; i++) {
    const note = `"Note ${i} ; ${pad}"`;
    const role = options.functions ? `;${FREE_TEXT_FUNCTIONS[i % 50].value}` : '';
    await write(`${FIRST[i % 10]};${LAST[(i >> 3) % 10]};${options.prefix ?? 'contact'}${i}@exemple.fr;${TERRITORIES[i % 8]};${THEMES[i % 5]}, ${THEMES[(i + 2) % 5]};${note}${role}\r\n`);
  }
  out.end();
  await once(out, 'finish');
}
