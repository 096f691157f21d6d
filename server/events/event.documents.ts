import type { Config } from '../lib/config.js';
import { csvLine, UTF8_BOM } from '../lib/csv-export.js';
import { htmlToPdf } from '../lib/pdf.js';
import { html, raw } from '../public/page.js';
import { getTerritory } from '../territories/territory.service.js';
import { vocabularyOf } from '../vocabularies/vocabulary.service.js';
import { eventWhen } from './event.mail.js';
import { Registration, REGISTRATION_STATUS_LABELS, type EventRecord, type RegistrationRecord } from './event.model.js';
import { getEventRecord } from './event.service.js';

/**
 * Documents for the day and after: the attendance list (émargement) as CSV or PDF, badges as
 * PDF, and every registration with its answers as CSV. CSV cells go through `csvLine`, which
 * neutralises formulas typed in the public form.
 */
export type EventDocument = { filename: string; body: string | Buffer };

const territoryOf = (r: RegistrationRecord) => (r.territory ? (getTerritory(r.territory)?.label ?? r.territoryLabel) : r.territoryLabel) ?? '';
const presenceOf = (r: RegistrationRecord) => (r.attendance === 'present' ? 'présent·e' : r.attendance === 'absent' ? 'absent·e' : '');

/** Who is expected on the day: confirmed registrants, by name. */
async function expected(event: EventRecord): Promise<RegistrationRecord[]> {
  return (await Registration.find({ event: event._id, status: 'registered', erasedAt: { $exists: false } }).sort({ lastName: 1, firstName: 1, _id: 1 }).lean()) as RegistrationRecord[];
}

/** The attendance list for the day (CSV, `;`, UTF-8 BOM): name, structure, territory, presence, a column to sign. */
export async function attendanceListCsv(eventId: string): Promise<EventDocument> {
  const event = await getEventRecord(eventId);
  const lines = [csvLine(['Nom', 'Prénom', 'Structure', 'Territoire', 'Présence', 'Signature'])];
  for (const r of await expected(event)) lines.push(csvLine([r.lastName, r.firstName, r.organisationName, territoryOf(r), presenceOf(r), '']));
  return { filename: `emargement-${event.slug}.csv`, body: UTF8_BOM + lines.join('') };
}

/** Every registration (waiting and cancelled ones too), with the answers to the event's own questions. */
export async function registrationsCsv(eventId: string): Promise<EventDocument> {
  const event = await getEventRecord(eventId);
  const rows = (await Registration.find({ event: event._id, erasedAt: { $exists: false } }).sort({ registeredAt: 1, _id: 1 }).lean()) as RegistrationRecord[];
  const [types, functions, dispositifs] = await Promise.all(['organisationTypes', 'functions', 'dispositifs'].map(async (kind) => new Map((await vocabularyOf(kind as never)).map((v) => [v.code, v.label]))));
  const header = ['Nom', 'Prénom', 'E-mail', 'Structure', 'Type de structure', 'Fonction', 'Territoire', 'Dispositifs', "Besoins d'accessibilité", 'Lettre mensuelle', 'État', 'Présence', 'Inscription le'];
  const lines = [csvLine([...header, ...event.questions.map((q) => q.label)])];
  for (const r of rows) {
    const answers = new Map(r.answers.map((a) => [a.key, a.value ?? '']));
    lines.push(
      csvLine([
        r.lastName,
        r.firstName,
        r.email,
        r.organisationName,
        r.organisationType ? (types.get(r.organisationType) ?? r.organisationType) : '',
        r.function ? (functions.get(r.function) ?? r.function) : '',
        territoryOf(r),
        r.dispositifs.map((d) => dispositifs.get(d) ?? d).join(', '),
        r.accessibilityNeeds,
        r.newsletterConsent ? 'oui' : 'non',
        REGISTRATION_STATUS_LABELS[r.status as keyof typeof REGISTRATION_STATUS_LABELS],
        presenceOf(r),
        parisDateTime(r.registeredAt),
        ...event.questions.map((q) => answers.get(q.key) ?? ''),
      ]),
    );
  }
  return { filename: `inscriptions-${event.slug}.csv`, body: UTF8_BOM + lines.join('') };
}

const parisDateTime = (date: Date) => new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', dateStyle: 'short', timeStyle: 'short' }).format(date);

const PRINT_STYLE = `
@page { size: A4; margin: 12mm; }
* { box-sizing: border-box; }
body { margin: 0; font-family: 'DejaVu Sans', Arial, sans-serif; font-size: 10.5pt; color: #1a1a1a; }
h1 { font-size: 15pt; margin: 0 0 2mm; color: #12355b; }
.facts { margin: 0 0 5mm; }
table { width: 100%; border-collapse: collapse; }
thead { display: table-header-group; }
th, td { border: 1px solid #555; padding: 1.5mm 2mm; text-align: left; vertical-align: middle; }
td { height: 12mm; }
tr { break-inside: avoid; }
th.signature { width: 45mm; }
.badges { display: grid; grid-template-columns: repeat(2, 90mm); grid-auto-rows: 62mm; gap: 4mm 6mm; justify-content: center; }
.badge { border: 1px dashed #888; padding: 5mm; display: flex; flex-direction: column; justify-content: center; text-align: center; break-inside: avoid; overflow: hidden; }
.badge .name { font-size: 18pt; font-weight: 700; line-height: 1.2; }
.badge .organisation { font-size: 12pt; margin-top: 3mm; }
.badge .territory { font-size: 10pt; color: #444; margin-top: 1mm; }
.badge .event { font-size: 8.5pt; color: #12355b; margin-top: 5mm; border-top: 1px solid #12355b; padding-top: 2mm; }
`;

function printable(title: string, body: string): string {
  return html`<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>${title}</title><style>${raw(PRINT_STYLE)}</style></head>
<body>${raw(body)}</body></html>
`;
}

/** The attendance list as an A4 page to print (PDF): one line per expected person, a box to sign. */
export async function attendanceListHtml(event: EventRecord, config: Config): Promise<string> {
  const rows = await expected(event);
  const body = html`<h1>Liste d'émargement — ${event.title}</h1>
<p class="facts">${eventWhen(event)}${event.place ? ` — ${event.place}` : ''} · ${config.organisation.name} · ${rows.length} inscrit·es</p>
<table>
<thead><tr><th scope="col">Nom</th><th scope="col">Prénom</th><th scope="col">Structure</th><th scope="col">Territoire</th><th scope="col" class="signature">Signature</th></tr></thead>
<tbody>
${rows.map((r) => raw(html`<tr><td>${r.lastName}</td><td>${r.firstName}</td><td>${r.organisationName}</td><td>${territoryOf(r)}</td><td></td></tr>\n`))}
</tbody>
</table>`;
  return printable(`Émargement — ${event.title}`, body);
}

/** Name badges, eight to an A4 page, to cut out. */
export async function badgesHtml(event: EventRecord): Promise<string> {
  const rows = await expected(event);
  const body = html`<div class="badges">
${rows.map((r) =>
  raw(html`<div class="badge"><div class="name">${r.firstName} ${r.lastName}</div><div class="organisation">${r.organisationName}</div><div class="territory">${territoryOf(r)}</div><div class="event">${event.title}</div></div>\n`),
)}
</div>`;
  return printable(`Badges — ${event.title}`, body);
}

export async function attendanceListPdf(eventId: string, config: Config): Promise<EventDocument> {
  const event = await getEventRecord(eventId);
  return { filename: `emargement-${event.slug}.pdf`, body: await htmlToPdf(await attendanceListHtml(event, config), config.chromiumPath) };
}

export async function badgesPdf(eventId: string, config: Config): Promise<EventDocument> {
  const event = await getEventRecord(eventId);
  return { filename: `badges-${event.slug}.pdf`, body: await htmlToPdf(await badgesHtml(event), config.chromiumPath) };
}
