import type { Audience, LinkClicks, Outcome, Progress } from '../mailings/mailingModel';

export type NewsletterStatus = 'draft' | 'approved' | 'sending' | 'sent';
export type Figures = { status?: string; total: number; sent: number; failed: number; remaining: number; bounced: number; unsubscribed: number };

export type Newsletter = {
  id: string;
  month: string;
  slug: string;
  title: string;
  subject?: string;
  status: NewsletterStatus;
  editorial: string;
  items: string[];
  excluded: string[];
  sections: { category: string; label: string; count: number }[];
  list: string;
  segment: string | null;
  testSends: { at: string; emails: string[]; by: string }[];
  approvedAt: string | null;
  approvedBy: string | null;
  scheduledAt: string | null;
  sendingAt: string | null;
  sentAt: string | null;
  figures: Figures | null;
  compiledAt: string;
  listName: string;
  segmentName: string | null;
  /** Before sending: who the issue will reach. */
  audience?: Audience;
  /** Once sending: the mailing's progress, then what happened and what readers clicked. */
  progress?: Progress;
  outcome?: Outcome;
  clicks?: LinkClicks[];
  categoryClicks?: { category: string; label: string; clicks: number }[];
};

export const NEWSLETTER_STATUS_CHOICES = [
  { id: 'draft', name: 'Brouillon' },
  { id: 'approved', name: 'Approuvée' },
  { id: 'sending', name: 'Envoi en cours' },
  { id: 'sent', name: 'Envoyée' },
];

export const statusLabel = (status: string) => NEWSLETTER_STATUS_CHOICES.find((c) => c.id === status)?.name ?? status;

/** "2026-10" → "octobre 2026". */
export function monthLabel(month: string): string {
  const [year, m] = month.split('-').map(Number);
  return new Date(Date.UTC(year, m - 1, 15)).toLocaleDateString('fr-FR', { month: 'long', year: 'numeric', timeZone: 'Europe/Paris' });
}

export function currentMonth(now = new Date()): string {
  const parts = new Intl.DateTimeFormat('fr-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit' }).format(now);
  return parts.slice(0, 7);
}
