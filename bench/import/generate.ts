import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

const FIRST = ['Hélène', 'François', 'Zoé', 'Jérôme', 'Anaïs', 'Noël', 'Camille', 'Léa', 'Inès', 'Hugo'];
const LAST = ['Lefèvre', 'Nœud', 'Dupré', 'Çelik', 'Béranger', 'Ledoux', 'Martin', 'Petit', 'Durand', 'Bernard'];
const TERRITORIES = ['93', 'Seine-Saint-Denis', '93200', 'Auvergne-Rhône-Alpes', 'Nord', '75', '69001', 'Saint-Denis (93)'];
const THEMES = ['Santé mentale', 'Précarité', 'Alimentation', 'Santé des jeunes', 'Parentalité'];

/**
 * A French Excel-like CSV (semicolons, CRLF, UTF-8) of `rows` contacts with accents, themes
 * and territories; `padding` adds a long note to each row to reach a given file size.
 */
export async function generateCsv(file: string, rows: number, options: { padding?: number; prefix?: string } = {}): Promise<void> {
  const out = createWriteStream(file);
  const pad = options.padding ? 'x'.repeat(options.padding) : '';
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  await write('Prénom;Nom;Adresse e-mail;Code postal;Thématiques;Commentaire\r\n');
  for (let i = 0; i < rows; i++) {
    const note = `"Note ${i} ; ${pad}"`;
    await write(`${FIRST[i % 10]};${LAST[(i >> 3) % 10]};${options.prefix ?? 'contact'}${i}@exemple.fr;${TERRITORIES[i % 8]};${THEMES[i % 5]}, ${THEMES[(i + 2) % 5]};${note}\r\n`);
  }
  out.end();
  await once(out, 'finish');
}
