import { csvLine, UTF8_BOM } from '../lib/csv-export.js';
import { fractionWords, frenchList } from '../lib/french.js';
import type { ActivityReport, Share } from './report.service.js';

/**
 * The report as the association writes it: sentences first ("Fabrique Territoires Santé a
 * reçu 63 sollicitations en 2017…"), then the tables. Percentages are printed rounded to the
 * unit, and a change is the difference of the printed figures, so "de 30 à 14 %" always
 * reads right.
 */
const number = (value: number) => new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 1 }).format(value).replace(/[\u202f\u00a0]/g, ' ');
const pct = (value: number) => `${Math.round(value)} %`;
const euros = (value: number) => `${number(value)} €`;
const signed = (value: number) => (value > 0 ? `+${number(value)}` : value < 0 ? `−${number(-value)}` : '0');
const points = (current: number, previous: number) => Math.round(current) - Math.round(previous);
/** French agreement: singular below 2 ("1,5 jour", "0 contact"), plural from 2. */
const plural = (count: number, one: string, many: string) => `${number(count)} ${count >= 2 ? many : one}`;
const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** A share moved enough to be told: 5 points or more (printed figures), and it existed the year before. */
const NOTABLE_POINTS = 5;
const movedBy = (r: Share) => points(r.share, r.previousShare ?? 0);
const fromTo = (r: Share) => `de ${Math.round(r.previousShare!)} à ${pct(r.share)}`;
const told = (r: Share) => r.code !== 'non-renseigne';

/** How the report names who asked ("viennent de collectivités", "émanant d'associations locales"). */
const REQUESTER_PHRASES: Record<string, string> = {
  collectivite: 'de collectivités locales',
  'association-locale': "d'associations locales",
  'structure-nationale': "d'associations ou de structures nationales",
  'ars-etat': "d'ARS ou de services de l'État",
  'centre-ressources': 'de centres de ressources',
  'promotion-sante': 'de Promotion Santé / IREPS',
  'etablissement-sante': "d'établissements de santé",
  'universite-formation': "de structures de formation ou d'enseignement",
  chercheur: 'de chercheur·ses',
  journaliste: 'de journalistes',
  autre: "d'autres acteurs",
};
const TYPE_PHRASES: Record<string, string> = {
  information: "demandes d'information et de ressources",
  'relais-emploi': "demandes de diffusion d'une offre d'emploi",
  'relais-evenement': "demandes de relais d'un événement ou d'une publication",
  'mise-en-lien': 'demandes de mise en lien',
  collaboration: "demandes de collaboration ou d'appui",
  intervention: "demandes d'intervention",
  presse: 'demandes de la presse',
  formation: "demandes de formation ou d'enseignement",
  autre: 'autres demandes',
};
const requesterPhrase = (row: Share) => REQUESTER_PHRASES[row.code] ?? `de la catégorie « ${row.label} »`;
const typePhrase = (row: Share) => TYPE_PHRASES[row.code] ?? `demandes « ${row.label} »`;

function table(headers: string[], rows: Array<Array<string | number>>): string {
  const line = (cells: Array<string | number>) => `| ${cells.map((c) => String(c).replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(headers), `|${headers.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`, ...rows.map(line)].join('\n');
}

function shareTable(first: string, count: string, rows: Share[], previousYear?: number): string {
  if (previousYear === undefined) return table([first, count, 'Part'], rows.map((r) => [r.label, number(r.count), pct(r.share)]));
  return table(
    [first, count, 'Part', `Part en ${previousYear}`, 'Évolution'],
    rows.map((r) => [r.label, number(r.count), pct(r.share), pct(r.previousShare ?? 0), `${signed(points(r.share, r.previousShare ?? 0))} pt`]),
  );
}

function contactsSection(report: ActivityReport): string[] {
  const c = report.contacts;
  const change = c.growthPercent === undefined ? '' : ` (${signed(Math.round(c.growthPercent))} % par rapport à ${report.year - 1})`;
  const lines = [
    '### Base de contacts',
    '',
    c.total
      ? `Au 31 décembre ${report.year}, Fabrique Territoires Santé dispose d'un listing de ${plural(c.total, 'contact', 'contacts')}${change}, dont ${pct(c.qualifiedShare)} qualifiés avec des entrées thématiques et territoriales.`
      : `Au 31 décembre ${report.year}, la base ne comptait encore aucun contact.`,
  ];
  if (c.byOrganisationType.length) lines.push('', shareTable('Type de structure', 'Contacts', c.byOrganisationType));
  return lines;
}

function listsSection(report: ActivityReport): string[] {
  const { items, largest } = report.lists;
  if (!largest) return [];
  const change = largest.growthPercent === undefined ? '' : ` (${signed(Math.round(largest.growthPercent))} %)`;
  return [
    '### Listes de diffusion',
    '',
    `Des listes de diffusion sont associées à la base de contacts, dont la plus large (« ${largest.name} ») contient ${plural(largest.size, 'contact', 'contacts')}${change}.`,
    '',
    items.some((l) => l.previousSize)
      ? table(
          ['Liste', `Inscrit·es au 31/12/${report.year}`, `Au 31/12/${report.year - 1}`, 'Évolution'],
          items.map((l) => [l.name, number(l.size), number(l.previousSize), l.growthPercent === undefined ? '—' : `${signed(Math.round(l.growthPercent))} %`]),
        )
      : table(['Liste', `Inscrit·es au 31/12/${report.year}`], items.map((l) => [l.name, number(l.size)])),
  ];
}

function newsletterSection(report: ActivityReport): string[] {
  const n = report.newsletters;
  const s = report.subscriptions;
  const lines = ['### Newsletter et actualités', ''];
  lines.push(n.sent ? `En ${report.year}, ${plural(n.sent, 'newsletter mensuelle a été envoyée', 'newsletters mensuelles ont été envoyées')}.` : `Aucune newsletter n'a été envoyée par Maillage en ${report.year}.`);
  if (s.list) {
    const delta = s.subscribersAtYearEnd - s.subscribersAtPreviousYearEnd;
    const versus = !s.subscribersAtPreviousYearEnd
      ? ''
      : delta === 0
        ? ", autant que l'an dernier"
        : `, soit ${plural(Math.abs(delta), 'contact', 'contacts')} de ${delta > 0 ? 'plus' : 'moins'} que l'an dernier`;
    const movements = s.gained || s.lost
      ? ` : ${plural(s.gained, 'inscription', 'inscriptions')} et ${plural(s.lost, 'désinscription', 'désinscriptions')} dans l'année (en moyenne ${number(s.gainedPerMonth)} et ${number(s.lostPerMonth)} par mois)`
      : '';
    lines.push(`La newsletter est envoyée à ${plural(s.subscribersAtYearEnd, 'contact volontairement inscrit', 'contacts volontairement inscrits')}${versus}${movements}.`);
  }
  const c = report.campaigns;
  if (c.sent) lines.push(`En ${report.year}, ${plural(c.sent, 'envoi ciblé est parti', 'envois ciblés sont partis')} vers ${plural(c.recipients, 'destinataire', 'destinataires')} au total.`);
  lines.push('', report.news.total ? `En ${report.year}, ${plural(report.news.total, 'actualité a été diffusée', 'actualités ont été diffusées')} par le site et la newsletter.` : `Aucune actualité n'a été enregistrée en ${report.year}.`);
  if (report.news.byCategory.length) lines.push('', shareTable('Catégorie', 'Actualités', report.news.byCategory));
  return lines;
}

/**
 * "La part des … a baissé (de 30 à 14 %), tandis que la part des … a augmenté (de 6 à 16 %)."
 * Falls grouped, then rises grouped: one "tandis que" at most, one "et" per group.
 */
function typeChanges(rows: Share[], year: number): string[] {
  const compared = rows.filter((r) => told(r) && r.previousCount);
  const group = (items: Share[], verb: string) => {
    if (items.length === 1) return `la part des ${typePhrase(items[0])} a ${verb} (${fromTo(items[0])})`;
    return `les parts des ${frenchList(items.map((r) => `${typePhrase(r)} (${fromTo(r)})`))} ont ${verb}`;
  };
  const down = compared.filter((r) => movedBy(r) <= -NOTABLE_POINTS).sort((a, b) => movedBy(a) - movedBy(b));
  const up = compared.filter((r) => movedBy(r) >= NOTABLE_POINTS).sort((a, b) => movedBy(b) - movedBy(a));
  const sentences: string[] = [];
  const parts = [down.length ? group(down, 'baissé') : '', up.length ? group(up, 'augmenté') : ''].filter(Boolean);
  if (parts.length) sentences.push(`Quelques évolutions sont à noter par rapport à l'année précédente. ${capitalize(parts.join(', tandis que '))}.`);
  else sentences.push(`La répartition des demandes par type est restée proche de celle de ${year - 1} (aucune part n'a varié de ${NOTABLE_POINTS} points ou plus).`);
  const appeared = rows.filter((r) => told(r) && r.count && !r.previousCount);
  if (appeared.length) sentences.push(`De plus, sont apparues en ${year} des ${frenchList(appeared.map(typePhrase))}.`);
  return sentences;
}

function requesterSentences(rows: Share[], year: number, compare: boolean): string[] {
  const known = rows.filter(told).sort((a, b) => b.count - a.count);
  const sentences: string[] = [];
  const [first, second] = known;
  if (first) {
    const words = fractionWords(first.share);
    const tail = second ? ` ; ${pct(second.share)} proviennent ${requesterPhrase(second)}` : '';
    if (words) sentences.push(`${capitalize(words)} de ces sollicitations (${pct(first.share)}) viennent ${requesterPhrase(first)}${tail}.`);
    // A sentence never starts with a figure.
    else sentences.push(`Ces sollicitations viennent d'abord ${requesterPhrase(first)} (${pct(first.share)})${second ? `, puis ${requesterPhrase(second)} (${pct(second.share)})` : ''}.`);
  }
  if (!compare) return sentences;
  const compared = rows.filter((r) => told(r) && r.previousCount);
  const moved = (items: Share[], verb: string) => {
    if (!items.length) return;
    if (items.length === 1) {
      sentences.push(`Notons que les demandes émanant ${requesterPhrase(items[0])} ont ${verb} par rapport à ${year - 1} (${fromTo(items[0])}).`);
    } else {
      sentences.push(`Notons que les demandes émanant ${frenchList(items.map((r) => `${requesterPhrase(r)} (${fromTo(r)})`))} ont ${verb} par rapport à ${year - 1}.`);
    }
  };
  moved(compared.filter((r) => movedBy(r) >= NOTABLE_POINTS), 'augmenté');
  moved(compared.filter((r) => movedBy(r) <= -NOTABLE_POINTS), 'diminué');
  const appeared = rows.filter((r) => told(r) && r.count && !r.previousCount);
  if (appeared.length) sentences.push(`Sont apparues en ${year} des demandes émanant ${frenchList(appeared.map(requesterPhrase))}.`);
  return sentences;
}

function solicitationsSection(report: ActivityReport): string[] {
  const s = report.solicitations;
  const lines = ['### Sollicitations', ''];
  const compare = s.previousTotal > 0;
  if (!s.total) {
    lines.push(`Aucune sollicitation n'a été enregistrée en ${report.year}${compare ? ` (contre ${number(s.previousTotal)} en ${report.year - 1})` : ''}.`);
    return lines;
  }
  const previous = compare ? ` (contre ${number(s.previousTotal)} en ${report.year - 1})` : '';
  const fromMembers = s.members ? `${pct(s.memberShare)} proviennent d'adhérent·es` : "aucune ne provient d'adhérent·es";
  lines.push(`Fabrique Territoires Santé a reçu ${plural(s.total, 'sollicitation', 'sollicitations')} en ${report.year}${previous}, émanant d'acteurs locaux ou nationaux, adhérents ou non : ${fromMembers}.`);
  if (compare) lines.push('', typeChanges(s.byType, report.year).join(' '));
  const requesters = requesterSentences(s.byRequesterType, report.year, compare);
  if (requesters.length) lines.push('', requesters.join(' '));
  if (s.medianDaysToAnswer !== undefined) {
    lines.push('', `Le délai médian de réponse est de ${plural(s.medianDaysToAnswer, 'jour', 'jours')} (${plural(s.answered, 'demande répondue', 'demandes répondues')}).`);
  }
  const previousYear = compare ? report.year - 1 : undefined;
  lines.push('', `#### Pourquoi a-t-on été sollicité en ${report.year} ?`, '', shareTable('Type de demande', 'Sollicitations', s.byType, previousYear));
  lines.push('', '#### Qui nous a sollicités ?', '', shareTable('Type de demandeur', 'Sollicitations', s.byRequesterType, previousYear));
  return lines;
}

/** "C'est autant qu'en 2016.", "C'est 3 de plus qu'en 2016 (40).": said only when the year before had some. */
function againstLastYear(current: number, previous: number, year: number): string {
  if (!previous) return '';
  const delta = current - previous;
  if (delta === 0) return `C'est autant qu'en ${year - 1}.`;
  return `C'est ${number(Math.abs(delta))} de ${delta > 0 ? 'plus' : 'moins'} qu'en ${year - 1} (${number(previous)}).`;
}

function membersSection(report: ActivityReport): string[] {
  const m = report.members;
  const lines = ['## Vie associative', ''];
  if (!m.total) {
    lines.push(`Aucune adhésion n'est enregistrée pour ${report.year}.${m.previousTotal ? ` Fabrique Territoires Santé comptait ${plural(m.previousTotal, 'membre adhérent·e', 'membres adhérent·es')} en ${report.year - 1}.` : ''}`);
    if (m.unpaid) lines.push('', `${capitalize(plural(m.unpaid, 'adhésion reste', 'adhésions restent'))} à régler.`);
    return lines;
  }
  const kinds = frenchList(
    [m.legalPersons ? plural(m.legalPersons, 'personne morale', 'personnes morales') : '', m.naturalPersons ? plural(m.naturalPersons, 'personne physique', 'personnes physiques') : ''].filter(Boolean),
  );
  const sentences = [`En ${report.year}, Fabrique Territoires Santé compte ${plural(m.total, 'membre adhérent·e', 'membres adhérent·es')} — dont ${kinds}.`];
  if (m.localAuthorities) {
    const words = fractionWords(m.localAuthorityShare);
    sentences.push(words ? `${capitalize(words)} (${pct(m.localAuthorityShare)}) sont des collectivités locales.` : `Les collectivités locales en représentent ${pct(m.localAuthorityShare)}.`);
  }
  const change = againstLastYear(m.total, m.previousTotal, report.year);
  if (change) sentences.push(change);
  lines.push(sentences.join(' '));
  lines.push('', `Cotisations encaissées : ${euros(m.duesCollected)}${m.unpaid ? ` ; ${plural(m.unpaid, 'adhésion reste', 'adhésions restent')} à régler` : ''}.`);
  if (m.byKind.length) lines.push('', shareTable('Adhérent·es', 'Nombre', m.byKind));
  return lines;
}

/** "Rencontres": each event's sentences, then a table of all of them. */
function eventsSection(report: ActivityReport): string[] {
  if (!report.events.length) return [];
  const lines = ['## Rencontres', ''];
  for (const event of report.events) lines.push(event.sentences.join(' '), '');
  const day = (local: string) => local.slice(0, 10).split('-').reverse().join('/');
  lines.push(
    table(
      ['Rencontre', 'Date', 'Inscrit·es', 'Participant·es', 'Nouveaux contacts'],
      report.events.map((e) => [e.event.title, day(e.event.start), number(e.registrants), e.attendanceTaken ? number(e.attendees) : '—', number(e.newContacts)]),
    ),
  );
  return lines;
}

export function reportToMarkdown(data: ActivityReport): string {
  const report = markdownSafe(data);
  return [
    `# Rapport d'activité ${report.year} — les chiffres`,
    '',
    `_Chiffres calculés par Maillage du 1er janvier au 31 décembre ${report.year} (heure de Paris)._`,
    '',
    "## Faciliter l'accès à l'information et aux ressources",
    '',
    ...contactsSection(report),
    '',
    ...listsSection(report),
    '',
    ...newsletterSection(report),
    '',
    ...solicitationsSection(report),
    '',
    ...eventsSection(report),
    '',
    ...membersSection(report),
    '',
  ]
    .join('\n')
    .replace(/\n{3,}/g, '\n\n');
}

/** One line per figure: section;indicateur;code;libellé;valeur;part (%);part année précédente (%);évolution (points). */
export function reportToCsv(report: ActivityReport): string {
  const rows: Array<Array<string | number | undefined>> = [['section', 'indicateur', 'code', 'libellé', 'valeur', 'part (%)', 'part année précédente (%)', 'évolution (points)']];
  const add = (section: string, indicator: string, value: number | undefined, extra: Partial<{ code: string; label: string; share: number; previousShare: number; change: number }> = {}) =>
    rows.push([section, indicator, extra.code, extra.label, value, extra.share, extra.previousShare, extra.change]);
  const addShares = (section: string, indicator: string, list: Share[]) =>
    list.forEach((r) => add(section, indicator, r.count, { code: r.code, label: r.label, share: r.share, previousShare: r.previousShare, change: r.changePoints }));
  const { contacts, lists, subscriptions, newsletters, news, solicitations, members } = report;
  add('contacts', 'total', contacts.total);
  add('contacts', 'total année précédente', contacts.previousTotal);
  add('contacts', 'évolution (%)', contacts.growthPercent);
  add('contacts', 'qualifiés', contacts.qualified, { share: contacts.qualifiedShare });
  addShares('contacts', 'par type de structure', contacts.byOrganisationType);
  lists.items.forEach((l) => add('listes', 'inscrits au 31/12', l.size, { code: l.code, label: l.name }));
  add('abonnements', 'inscriptions', subscriptions.gained);
  add('abonnements', 'désinscriptions', subscriptions.lost);
  add('abonnements', 'inscriptions par mois', subscriptions.gainedPerMonth);
  add('abonnements', 'désinscriptions par mois', subscriptions.lostPerMonth);
  add('newsletters', 'envoyées', newsletters.sent);
  add('envois ciblés', 'envoyés', report.campaigns.sent);
  add('envois ciblés', 'destinataires', report.campaigns.recipients);
  add('actualités', 'total', news.total);
  addShares('actualités', 'par catégorie', news.byCategory);
  add('sollicitations', 'total', solicitations.total);
  add('sollicitations', 'total année précédente', solicitations.previousTotal);
  add('sollicitations', 'adhérent·es', solicitations.members, { share: solicitations.memberShare, previousShare: solicitations.previousMemberShare, change: solicitations.memberShareChangePoints });
  addShares('sollicitations', 'par type', solicitations.byType);
  addShares('sollicitations', 'par type de demandeur', solicitations.byRequesterType);
  add('sollicitations', 'délai médian de réponse (jours)', solicitations.medianDaysToAnswer);
  add('adhérents', 'total', members.total);
  add('adhérents', 'personnes morales', members.legalPersons);
  add('adhérents', 'personnes physiques', members.naturalPersons);
  add('adhérents', 'collectivités locales', members.localAuthorities, { share: members.localAuthorityShare });
  addShares('adhérents', 'par type', members.byKind);
  add('adhérents', 'cotisations encaissées (€)', members.duesCollected);
  for (const e of report.events) {
    const label = `${e.event.title} (${e.event.start.slice(0, 10)})`;
    add('rencontres', 'inscrits', e.registrants, { code: e.event.id, label });
    if (e.attendanceTaken) add('rencontres', 'participants', e.attendees, { code: e.event.id, label });
    add('rencontres', 'collectivités locales', e.localAuthorities, { code: e.event.id, label, share: e.localAuthorityShare });
    add('rencontres', 'territoire avec QPV', e.qpv, { code: e.event.id, label, share: e.qpvShare });
    add('rencontres', 'nouveaux contacts', e.newContacts, { code: e.event.id, label });
    e.byRegion.forEach((r) => add('rencontres', 'par région', r.count, { code: e.event.id, label: `${label} — ${r.label}`, share: r.share }));
    e.questions.forEach((q) => q.options.forEach((o) => add('rencontres', "question d'inscription", o.count, { code: e.event.id, label: `${label} — ${q.label} — ${o.label}`, share: o.share })));
    e.evaluation.questions.forEach((q) =>
      q.kind === 'yesno'
        ? add('rencontres', 'évaluation : part de oui', q.answers, { code: e.event.id, label: `${label} — ${q.label}`, share: q.yesShare })
        : add('rencontres', 'évaluation : part de 4 ou 5 sur 5', q.answers, { code: e.event.id, label: `${label} — ${q.label}`, share: q.highShare }),
    );
  }
  return UTF8_BOM + rows.map((row) => csvLine(row)).join('');
}

/**
 * Every text of the report (labels and names typed by staff) as Markdown text: no HTML (`<`, `>`
 * as entities) and no link, image or code syntax (`[`, `]`, `` ` ``, `\` escaped).
 */
function markdownSafe<T>(value: T): T {
  if (typeof value === 'string') return value.replace(/[\\`[\]]/g, '\\$&').replace(/</g, '&lt;').replace(/>/g, '&gt;') as T;
  if (Array.isArray(value)) return value.map(markdownSafe) as T;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, markdownSafe(field)])) as T;
  }
  return value;
}
