export const ROLE_CHOICES = [
  { id: 'admin', name: 'maillage.roles.admin' },
  { id: 'staff', name: 'maillage.roles.staff' },
  { id: 'board', name: 'maillage.roles.board' },
];
