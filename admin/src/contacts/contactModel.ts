export type Contact = {
  id: string;
  civility?: 'madame' | 'monsieur' | null;
  firstName: string;
  lastName: string;
  email: string;
  emails: string[];
  phones: string[];
  function?: string | null;
  organisations: string[];
  dispositifs: string[];
  themes: string[];
  territories: string[];
  notes: string;
  functionLabel?: string;
  unresolvedLabels?: string[];
  source?: string;
  erasedAt?: string | null;
  createdAt: string;
  updatedAt: string;
};

export function contactName(c: Pick<Contact, 'firstName' | 'lastName' | 'email'> | undefined): string {
  if (!c) return '';
  const name = [c.firstName, c.lastName].filter(Boolean).join(' ');
  return name || c.email;
}

export const MEMBERSHIP_STATES = [
  { id: 'a-jour', name: 'Adhérent·e à jour' },
  { id: 'en-retard', name: 'Adhésion en retard' },
  { id: 'ancien-membre', name: 'Ancien·ne adhérent·e' },
  { id: 'non-membre', name: 'Non adhérent·e' },
];

export const SUBSCRIPTION_STATES = [
  { id: 'pending', name: 'En attente de confirmation' },
  { id: 'subscribed', name: 'Abonné·e' },
  { id: 'unsubscribed', name: 'Désabonné·e' },
  { id: 'rejected', name: 'Refusé' },
  { id: 'bounced', name: 'Adresse en erreur' },
];

/** Fields the API derives or fills itself: never sent back. */
export function editableContact({ firstName, lastName, civility, email, emails, phones, function: fn, functionLabel, organisations, dispositifs, themes, territories, notes, unresolvedLabels }: Contact) {
  return { firstName, lastName, civility: civility || null, email, emails, phones, function: fn || null, functionLabel: functionLabel ?? '', organisations, dispositifs, themes, territories, notes, unresolvedLabels: unresolvedLabels ?? [] };
}

/** Where a contact came from, in words ("Origine : Saisie manuelle", never "staff"). */
export const CONTACT_SOURCE_CHOICES = [
  { id: 'staff', name: 'Saisie manuelle' },
  { id: 'import', name: 'Import CSV' },
  { id: 'sollicitation', name: 'Sollicitation' },
  { id: 'abonnement', name: "Formulaire d'abonnement" },
  { id: 'form', name: 'Formulaire public' },
  { id: 'event', name: 'Inscription à une rencontre' },
  { id: 'mailbox', name: 'Boîte de réception' },
  { id: 'demo', name: 'Données de démonstration' },
];
