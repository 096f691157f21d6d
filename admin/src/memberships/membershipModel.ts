export const PAYMENT_STATUS_CHOICES = [
  { id: 'due', name: 'À payer' },
  { id: 'paid', name: 'Payée' },
  { id: 'waived', name: 'Exonérée' },
];

export const PAYMENT_METHOD_CHOICES = [
  { id: 'virement', name: 'Virement' },
  { id: 'cheque', name: 'Chèque' },
  { id: 'carte', name: 'Carte bancaire' },
  { id: 'especes', name: 'Espèces' },
  { id: 'prelevement', name: 'Prélèvement' },
  { id: 'mandat-administratif', name: 'Mandat administratif' },
  { id: 'autre', name: 'Autre' },
];

export type Membership = {
  id: string;
  organisation?: string;
  contact?: string;
  year: number;
  category: string;
  fee: number;
  paymentStatus: 'due' | 'paid' | 'waived';
  paidAt?: string;
  paymentMethod?: string;
  certificateNumber?: string;
};
