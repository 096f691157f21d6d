export const SOLICITATION_STATUS_CHOICES = [
  { id: 'new', name: 'Nouvelle' },
  { id: 'in-progress', name: 'En cours' },
  { id: 'answered', name: 'Répondue' },
  { id: 'closed', name: 'Close' },
];
