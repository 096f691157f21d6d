/** What the API says of a mailing's audience, progress and figures (shared by newsletters and campaigns). */
export type ExclusionReason = 'not-subscribed' | 'unsubscribed' | 'objected' | 'bounced' | 'suppressed' | 'erased';

export type Audience = {
  basis: 'consent' | 'legitimate-interest';
  count: number;
  excluded: Record<ExclusionReason, number>;
  sample: string[];
  frozenAt?: string | null;
};

export type Progress = {
  status: 'draft' | 'sending' | 'paused' | 'sent' | 'cancelled';
  preparing: boolean;
  total: number;
  sent: number;
  failed: number;
  remaining: number;
  uncertain: number;
  skipped: number;
  perMinute?: number;
  secondsLeft?: number;
  pauseReason?: string;
};

export type Outcome = {
  recipients: number;
  accepted: number;
  delivered: number;
  hardBounces: number;
  softBounces: number;
  complaints: number;
  failed: number;
  skipped: number;
  uncertain: number;
  unsubscribed: number;
};

export type LinkClicks = { code: string; url: string; label: string; clicks: number };

export const EXCLUSION_LABELS: Record<ExclusionReason, string> = {
  'not-subscribed': 'abonnement non confirmé',
  unsubscribed: 'désabonné·es de la liste',
  objected: 'opposé·es à ces envois',
  bounced: 'adresse en erreur',
  suppressed: "sur la liste d'exclusion",
  erased: 'effacé·es (RGPD)',
};

export const BASIS_LABELS = {
  consent: 'Consentement (abonné·es de la liste)',
  'legitimate-interest': 'Informations du réseau (intérêt légitime, contacts professionnels)',
} as const;

/** "1 214" in French. */
export const count = (n: number) => n.toLocaleString('fr-FR');
export const plural = (n: number, one: string, many: string) => `${count(n)} ${Math.abs(n) < 2 ? one : many}`;

/** "liste « Lettre mensuelle », segment « Nord »": what a confirmation names. */
export const audienceTarget = (listName: string, segmentName: string | null) =>
  `liste « ${listName} »${segmentName ? `, segment « ${segmentName} »` : ', sans segment'}`;
