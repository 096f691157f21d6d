import { isUtf8 } from 'node:buffer';
import { retryBusy } from '../lib/busy.js';
import { badRequest } from '../lib/errors.js';
import { normalizeEmail, normalizeText } from '../lib/normalize.js';
import iconv from 'iconv-lite';
import { detectDelimiter, parseCsvText } from '../imports/csv.js';
import { Registration } from './event.model.js';
import { getEventRecord } from './event.service.js';

/** Column names of visio tools' attendance exports (Zoom, Teams, Webex, Jitsi, Livestorm), folded. */
const EMAIL_COLUMNS = ['e-mail', 'email', 'courriel', 'adresse e-mail', 'adresse email', 'e-mail de l utilisateur', 'user email', 'adresse de messagerie'];
const NAME_COLUMNS = ['nom', 'name', 'nom complet', 'participant', 'nom d utilisateur', 'user name', 'full name', 'nom (nom d origine)'];
const MINUTES_COLUMNS = ['minutes', 'duree', 'duree (minutes)', 'duration', 'duration (minutes)', 'minutes connecte', 'temps de connexion (minutes)', 'temps total (minutes)'];
const fold = (header: string) => normalizeText(header).replace(/[’'_]/g, ' ').replace(/\s+/g, ' ').trim();
const column = (headers: string[], names: string[]) => headers.findIndex((h) => names.map(fold).includes(fold(h)));

export type AttendanceImport = { present: number; absent: number; lines: number; unmatched: Array<{ line: number; email: string; name: string }> };

/**
 * The visio tool's attendance CSV (e-mail, name, minutes connected; one line per connection):
 * every registrant found by e-mail is present with the minutes added up, the other confirmed
 * registrants not yet ticked are absent. Lines naming nobody registered are listed back. A
 * malformed line stops the import before anything is written, naming the line.
 */
export async function importAttendance(eventId: string, file: Buffer): Promise<AttendanceImport> {
  const event = await getEventRecord(eventId);
  const text = (isUtf8(file) ? file.toString('utf8') : iconv.decode(file, 'win1252')).replace(/^\uFEFF/, '');
  const records = parseCsvText(text, detectDelimiter(text.slice(0, 4000))).filter((r) => r.cells.some((c) => c.trim()));
  const [header, ...rows] = records;
  if (!header) throw badRequest('Le fichier est vide.', 'file');
  const emailAt = column(header.cells, EMAIL_COLUMNS);
  const nameAt = column(header.cells, NAME_COLUMNS);
  const minutesAt = column(header.cells, MINUTES_COLUMNS);
  if (emailAt < 0) throw badRequest(`Colonne de l'adresse e-mail introuvable (attendu : « E-mail » ou « Courriel » ; colonnes lues : ${header.cells.join(', ')}).`, 'file');
  const minutesBy = new Map<string, number>();
  const names = new Map<string, { line: number; name: string }>();
  for (const row of rows) {
    const email = normalizeEmail(row.cells[emailAt] ?? '');
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) throw badRequest(`Ligne ${row.line} : adresse e-mail invalide « ${row.cells[emailAt] ?? ''} ».`, 'file');
    const rawMinutes = minutesAt >= 0 ? (row.cells[minutesAt] ?? '').trim().replace(',', '.') : '';
    const minutes = rawMinutes ? Number(rawMinutes) : 0;
    if (!Number.isFinite(minutes) || minutes < 0) throw badRequest(`Ligne ${row.line} : durée de connexion invalide « ${rawMinutes} » (un nombre de minutes est attendu).`, 'file');
    minutesBy.set(email, (minutesBy.get(email) ?? 0) + minutes);
    if (!names.has(email)) names.set(email, { line: row.line, name: nameAt >= 0 ? (row.cells[nameAt] ?? '').trim() : '' });
  }
  const registrations = await Registration.find({ event: event._id, status: { $ne: 'cancelled' } }, { email: 1, attendance: 1, status: 1 }).lean();
  const byEmail = new Map(registrations.map((r) => [r.email, r]));
  let present = 0;
  for (const [email, minutes] of minutesBy) {
    const registration = byEmail.get(email);
    if (!registration) continue;
    await retryBusy(() => Registration.updateOne({ _id: registration._id }, { $set: { attendance: 'present', minutesConnected: Math.round(minutes), checkedInAt: new Date() } }));
    present++;
  }
  const absentees = registrations.filter((r) => r.status === 'registered' && !minutesBy.has(r.email) && !r.attendance).map((r) => r._id);
  if (absentees.length) await retryBusy(() => Registration.updateMany({ _id: { $in: absentees } }, { $set: { attendance: 'absent' } }));
  const unmatched = [...names].filter(([email]) => !byEmail.has(email)).map(([email, { line, name }]) => ({ line, email, name }));
  return { present, absent: absentees.length, lines: rows.length, unmatched };
}
