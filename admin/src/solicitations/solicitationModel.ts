export const SOLICITATION_STATUS_CHOICES = [
  { id: 'new', name: 'Nouvelle' },
  { id: 'in-progress', name: 'En cours' },
  { id: 'answered', name: 'Répondue' },
  { id: 'closed', name: 'Close' },
];

export const statusLabel = (status: string) => SOLICITATION_STATUS_CHOICES.find((c) => c.id === status)?.name ?? status;
