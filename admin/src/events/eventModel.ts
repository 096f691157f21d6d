export const EVENT_KIND_CHOICES = [
  { id: 'rencontre-nationale', name: 'Rencontre nationale' },
  { id: 'rencontre-regionale', name: 'Rencontre régionale' },
  { id: 'webinaire', name: 'Webinaire' },
  { id: 'journee-echanges', name: "Journée d'échanges" },
  { id: 'formation', name: 'Formation' },
  { id: 'reunion-statutaire', name: 'Réunion statutaire' },
];
export const ACCESS_CHOICES = [
  { id: 'public', name: 'Publique' },
  { id: 'invitation', name: 'Sur invitation' },
];
export const QUESTION_KIND_CHOICES = [
  { id: 'text', name: 'Texte libre' },
  { id: 'choice', name: 'Choix' },
  { id: 'yesno', name: 'Oui / non' },
];
export const EVALUATION_KIND_CHOICES = [
  { id: 'rating', name: 'Note de 1 à 5' },
  { id: 'yesno', name: 'Oui / non' },
];
export const REGISTRATION_STATUS_CHOICES = [
  { id: 'registered', name: 'Inscrit·e' },
  { id: 'waiting', name: "Liste d'attente" },
  { id: 'cancelled', name: 'Annulé' },
  { id: 'present', name: 'Présent·e' },
  { id: 'absent', name: 'Absent·e' },
];

export type Registration = {
  id: string;
  firstName: string;
  lastName: string;
  email: string;
  organisationName: string;
  status: 'registered' | 'waiting' | 'cancelled' | 'present' | 'absent';
  attendance?: 'present' | 'absent';
};

export type Share = { code: string; label: string; count: number; share: number };
export type EventFigures = {
  registrants: number;
  registered: number;
  waiting: number;
  cancelled: number;
  attendanceTaken: boolean;
  attendees: number;
  absent: number;
  basis: 'participants' | 'inscrits';
  localAuthorityShare: number;
  byOrganisationType: Share[];
  byFunction: Share[];
  byDispositif: Share[];
  byRegion: Share[];
  qpvShare: number;
  newContacts: number;
  questions: Array<{ key: string; label: string; kind: 'choice' | 'yesno'; answers: number; options: Array<{ value: string; label: string; count: number; share: number }> }>;
  evaluation: {
    answers: number;
    questions: Array<{ key: string; label: string; kind: 'rating'; answers: number; highShare: number } | { key: string; label: string; kind: 'yesno'; answers: number; yesShare: number }>;
    comments: string[];
  };
  sentences: string[];
};

/** What the API accepts: empty optional fields left out, choices one per line. */
export function eventPayload(data: Record<string, unknown>) {
  const keys = ['title', 'slug', 'kind', 'start', 'end', 'place', 'visioUrl', 'description', 'programmeUrl', 'capacity', 'registrationOpens', 'registrationCloses', 'coOrganisers', 'themes', 'territory', 'access', 'questions', 'evaluationQuestions'];
  const out: Record<string, unknown> = {};
  for (const key of keys) if (data[key] !== undefined) out[key] = data[key] === '' && !['place', 'visioUrl', 'description', 'programmeUrl'].includes(key) ? null : data[key];
  if (out.title === null) delete out.title;
  if (Array.isArray(out.questions)) {
    out.questions = (out.questions as Array<Record<string, unknown>>).map((q) => ({
      ...(q.key ? { key: q.key } : {}),
      label: q.label,
      kind: q.kind ?? 'text',
      choices: String(Array.isArray(q.choices) ? q.choices.join('\n') : (q.choices ?? '')).split('\n').map((c) => c.trim()).filter(Boolean),
      required: Boolean(q.required),
    }));
  }
  if (Array.isArray(out.evaluationQuestions)) out.evaluationQuestions = (out.evaluationQuestions as Array<Record<string, unknown>>).map((q) => ({ ...(q.key ? { key: q.key } : {}), label: q.label, kind: q.kind ?? 'rating' }));
  return out;
}
