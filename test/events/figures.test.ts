import { expect } from 'chai';
import { createContact } from '../../server/contacts/contact.service.js';
import { eventFigures } from '../../server/events/event.figures.js';
import { Event, Registration, type EventRecord } from '../../server/events/event.model.js';
import { registrationForm } from '../../server/events/event.schemas.js';
import { createEvent } from '../../server/events/event.service.js';
import { importAttendance } from '../../server/events/attendance.service.js';
import { submitEvaluation } from '../../server/events/evaluation.service.js';
import { registerForEvent } from '../../server/events/registration.service.js';
import { createLogger } from '../../server/lib/logger.js';
import { activityReport } from '../../server/reports/report.service.js';
import { reportToCsv, reportToMarkdown } from '../../server/reports/report.format.js';
import { resetDatabase, testConfig } from '../helpers.js';

/**
 * Events shaped like the association's own: the 2017 national meeting in Lyon (238
 * registrants, 40 % from local authorities, Auvergne-Rhône-Alpes first, then Île-de-France,
 * PACA and Bourgogne-Franche-Comté) and the January 2026 webinar (271 participants, 70 % on a
 * territory with a QPV, evaluation 87.3 % / 95.8 % of 4 or 5 out of 5 and 100 % saying yes,
 * they understood the subject better).
 */
const ctx = { config: testConfig(), logger: createLogger('silent') };

/** Département codes and how many people come from each region's département. */
const spread = (counts: Array<[string, number]>) => counts.flatMap(([departement, n]) => Array<string>(n).fill(departement));

/** Runs `task` for each item, four at a time (a burst of registrations, as when an invitation goes out). */
async function fourAtATime<T>(items: readonly T[], task: (item: T, index: number) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += 4) await Promise.all(items.slice(i, i + 4).map((item, k) => task(item, i + k)));
}

async function register(event: EventRecord, fields: Record<string, string | string[]>) {
  const form = registrationForm.parse(fields);
  await registerForEvent(ctx, event, form, fields, '127.0.0.1', new Date(event.startsAt.getTime() - 30 * 24 * 3600_000));
}

describe('events: figures and report sentences of events shaped like the 2017 meeting and the 2026 webinar', function () {
  this.timeout(300_000);
  before(() => resetDatabase());

  it('counts the 2017 national meeting: 238 registrants, 40 % local authorities, régions ranked, new contacts', async () => {
    const created = await createEvent({ title: 'Agir ensemble pour la santé dans les quartiers', kind: 'rencontre-nationale', start: '2017-10-12T09:00', end: '2017-10-12T17:30', place: "Lyon, Espace Tête d'Or" });
    const event = (await Event.findById(created.id).lean()) as EventRecord;
    // 71 ARA, 48 IdF, 29 PACA, 19 BFC, then seven régions under 5 % each
    const departements = spread([['69', 71], ['75', 48], ['13', 29], ['21', 19], ['59', 11], ['31', 11], ['67', 11], ['33', 11], ['35', 10], ['76', 10], ['45', 7]]);
    expect(departements).to.have.length(238);
    const localTypes = ['commune', 'epci', 'departement', 'region'];
    const otherTypes = ['association-locale', 'ars', 'promotion-sante', 'etat', 'universite-recherche'];
    for (let i = 0; i < 20; i++) await createContact({ email: `deja${i}@lyon2017.fr`, firstName: 'Déjà', lastName: `Connu${i}`, territories: ['departement-69'] });
    // 95 of the 238 from local authorities: 40 %
    await fourAtATime(departements, async (departement, i) => {
      const email = i < 20 ? `deja${i}@lyon2017.fr` : `inscrit${i}@lyon2017.fr`;
      await register(event, { email, firstName: 'Personne', lastName: `N${i}`, organisationType: i < 95 ? localTypes[i % 4] : otherTypes[i % 5], territory: departement, function: i % 3 ? 'coordo-asv' : 'elu' });
    });
    const figures = await eventFigures(created.id);
    expect(figures).to.include({ registrants: 238, registered: 238, attendanceTaken: false, basis: 'inscrits', localAuthorities: 95, newContacts: 218 });
    expect(Math.round(figures.localAuthorityShare)).to.equal(40);
    expect(figures.byRegion.slice(0, 4).map((r) => r.label)).to.deep.equal(['Auvergne-Rhône-Alpes', 'Île-de-France', "Provence-Alpes-Côte d'Azur", 'Bourgogne-Franche-Comté']);
    expect(figures.byRegion[0]).to.include({ count: 71, share: 29.8 });
    expect(figures.byFunction.map((f) => f.code)).to.deep.equal(['coordo-asv', 'elu']);
    expect(figures.sentences).to.deep.equal([
      "La rencontre nationale « Agir ensemble pour la santé dans les quartiers » (Lyon, 12 octobre 2017) a réuni 238 inscrit·es.",
      '40 % des inscrit·es viennent de collectivités locales.',
      "Les régions les plus représentées sont Auvergne-Rhône-Alpes, puis Île-de-France, Provence-Alpes-Côte d'Azur et Bourgogne-Franche-Comté.",
      '218 nouveaux contacts sont entrés dans la base à cette occasion.',
    ]);
    const markdown = reportToMarkdown(await activityReport(2017));
    expect(markdown).to.contain('## Rencontres').and.contain(figures.sentences.join(' '));
    expect(markdown).to.contain('| Agir ensemble pour la santé dans les quartiers | 12/10/2017 | 238 | — | 218 |');
  });

  it('counts the January 2026 webinar from the visio tool’s attendance: 271 participants, 70 % on a QPV territory, 87.3 / 95.8 % of 4 or 5 and 100 % yes', async () => {
    const created = await createEvent({
      title: 'Santé et politique de la ville',
      kind: 'webinaire',
      start: '2026-01-20T14:00',
      end: '2026-01-20T16:30',
      visioUrl: 'https://visio.example.org/rn2026',
      evaluationQuestions: [
        { label: "L'organisation", kind: 'rating' },
        { label: 'Les interventions', kind: 'rating' },
        { label: "J'ai mieux compris le sujet", kind: 'yesno' },
      ],
      questions: [
        { label: 'Déjeunerez-vous sur place ?', kind: 'yesno', choices: [], required: false },
        { label: 'Votre structure', kind: 'choice', choices: ['Collectivité', 'Association', 'Autre'], required: false },
      ],
    });
    const event = (await Event.findById(created.id).lean()) as EventRecord;
    // 271 who came: 81 IdF, 54 ARA, 33 NA, 27 Occitanie, 22 PACA, then 54 in régions under 5 %; 29 who did not come
    const departements = spread([['93', 81], ['69', 54], ['33', 33], ['31', 27], ['13', 22], ['59', 13], ['67', 13], ['35', 13], ['76', 13], ['45', 2]]);
    const communes: Record<string, string> = { '93': 'commune-93066', '69': 'commune-69123', '33': 'commune-33063', '31': 'commune-31555', '13': 'commune-13055', '59': 'commune-59350', '67': 'commune-67482', '35': 'commune-35238', '76': 'commune-76540', '45': 'commune-45234' };
    await fourAtATime(departements, async (departement, i) => {
      if (i % 10 >= 7) return; // 190 of them are staff-qualified contacts working in a QPV: 7 in 10
      await createContact({ email: `p${i}@webinaire2026.fr`, firstName: 'Qualifiée', lastName: `Q${i}`, territories: [communes[departement], 'qualite-qpv'] });
    });
    // registration questions: 3 in 4 lunch on site; the structure asked of the first 100 only
    await fourAtATime(departements, async (departement, i) => {
      const answers = { 'q_dejeunerez-vous-sur-place': i % 4 === 3 ? 'non' : 'oui', ...(i < 100 ? { 'q_votre-structure': i < 60 ? 'Collectivité' : 'Association' } : {}) };
      await register(event, { email: `p${i}@webinaire2026.fr`, firstName: 'Participant', lastName: `P${i}`, territory: departement, ...answers });
    });
    await fourAtATime(Array.from({ length: 29 }, (_, i) => i), (i) => register(event, { email: `absent${i}@webinaire2026.fr`, firstName: 'Absent', lastName: `A${i}` }));
    const qualified = departements.filter((_, i) => i % 10 < 7).length;
    expect(departements).to.have.length(271);

    // the visio tool's export: one line per connection (reconnections add up), and two guests who had not registered
    const lines = ['\uFEFFNom;E-mail;Durée (minutes)'];
    departements.forEach((_, i) => lines.push(`Participant P${i};P${i}@Webinaire2026.fr;${i % 7 === 0 ? 40 : 95}`));
    for (let i = 0; i < 271; i += 7) lines.push(`Participant P${i};p${i}@webinaire2026.fr;55`);
    lines.push('Invité surprise;invite@ailleurs.fr;30', 'Autre invité;autre@ailleurs.fr;12');
    const imported = await importAttendance(created.id, Buffer.from(lines.join('\r\n')));
    expect(imported).to.deep.include({ present: 271, absent: 29 });
    expect(imported.unmatched.map((u) => u.email)).to.deep.equal(['invite@ailleurs.fr', 'autre@ailleurs.fr']);
    expect(imported.unmatched[0]).to.include({ line: 1 + 271 + Math.ceil(271 / 7) + 1, name: 'Invité surprise' });
    expect((await Registration.findOne({ email: 'p0@webinaire2026.fr' }).lean())!.minutesConnected).to.equal(95);

    // 118 answers: 103 and 113 of them give 4 or 5, all 118 say they understood the subject better
    const present = await Registration.find({ event: created.id, attendance: 'present' }).sort({ lastName: 1 }).limit(118).lean();
    for (const [i, registration] of present.entries()) {
      const ratings = [
        { key: 'l-organisation', value: i < 103 ? 4 + (i % 2) : 3 },
        { key: 'les-interventions', value: i < 113 ? 5 : 2 },
      ];
      const yesNo = [{ key: 'j-ai-mieux-compris-le-sujet', value: true }];
      expect(await submitEvaluation(event, String(registration._id), { ratings, yesNo }, i % 40 === 0 ? `Très utile, merci (${i})` : '')).to.equal(true);
    }
    expect(await submitEvaluation(event, String(present[0]._id), {}, 'encore')).to.equal(false); // once per link

    const figures = await eventFigures(created.id);
    expect(figures).to.include({ registrants: 300, attendanceTaken: true, attendees: 271, absent: 29, basis: 'participants', qpv: qualified });
    expect(Math.round(figures.qpvShare)).to.equal(70);
    expect(figures.byRegion.slice(0, 5).map((r) => r.label)).to.deep.equal(['Île-de-France', 'Auvergne-Rhône-Alpes', 'Nouvelle-Aquitaine', 'Occitanie', "Provence-Alpes-Côte d'Azur"]);
    expect(figures.evaluation.questions.map((q) => [q.kind, q.answers, q.kind === 'yesno' ? q.yesShare : q.highShare])).to.deep.equal([
      ['rating', 118, 87.3],
      ['rating', 118, 95.8],
      ['yesno', 118, 100],
    ]);
    // the registration questions, over the registrants who answered (the 29 absent ones did not)
    expect(figures.questions.map((q) => [q.label, q.answers, q.options.map((o) => [o.label, o.count, o.share])])).to.deep.equal([
      ['Déjeunerez-vous sur place ?', 271, [['Oui', 204, 75.3], ['Non', 67, 24.7]]],
      ['Votre structure', 100, [['Collectivité', 60, 60], ['Association', 40, 40], ['Autre', 0, 0]]],
    ]);
    expect(figures.evaluation.comments).to.deep.equal(['Très utile, merci (0)', 'Très utile, merci (40)', 'Très utile, merci (80)']);
    expect(figures.newContacts).to.equal(300 - 190);
    expect(figures.sentences).to.deep.equal([
      'Le webinaire « Santé et politique de la ville » (20 janvier 2026) a rassemblé 271 participant·es, pour 300 inscrit·es.',
      '70 % travaillent sur un territoire comptant au moins un quartier prioritaire de la politique de la ville (QPV).',
      "Les régions les plus représentées sont Île-de-France, puis Auvergne-Rhône-Alpes, Nouvelle-Aquitaine, Occitanie et Provence-Alpes-Côte d'Azur.",
      '110 nouveaux contacts sont entrés dans la base à cette occasion.',
      "Le questionnaire d'évaluation (118 réponses) donne 87,3 % de 4 ou 5 sur 5 pour « L'organisation », 95,8 % pour « Les interventions » et 100 % de oui à « J'ai mieux compris le sujet ».",
    ]);
    const report = await activityReport(2026);
    expect(reportToMarkdown(report)).to.contain(figures.sentences.join(' '));
    expect(reportToCsv(report)).to.contain(`rencontres;participants;${created.id};Santé et politique de la ville (2026-01-20);271`);
    const csv = reportToCsv(report);
    expect(csv).to.contain("rencontres;évaluation : part de 4 ou 5 sur 5;" + created.id + ";Santé et politique de la ville (2026-01-20) — L'organisation;118;87,3");
    expect(csv).to.contain("rencontres;évaluation : part de oui;" + created.id + ";Santé et politique de la ville (2026-01-20) — J'ai mieux compris le sujet;118;100");
    expect(csv).to.contain(`rencontres;question d'inscription;${created.id};Santé et politique de la ville (2026-01-20) — Déjeunerez-vous sur place ? — Oui;204;75,3`);
  });
});
