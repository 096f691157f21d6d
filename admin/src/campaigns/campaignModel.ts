import type { Audience, LinkClicks, Outcome, Progress } from '../mailings/mailingModel';

export type CampaignStatus = 'draft' | 'preparing' | 'approved' | 'sending' | 'paused' | 'sent' | 'cancelled';

export type Campaign = {
  id: string;
  subject: string;
  preheader: string;
  fromName: string;
  body: string;
  list: string;
  segment: string | null;
  basis: 'consent' | 'legitimate-interest';
  publish: boolean;
  slug: string | null;
  status: CampaignStatus;
  listName: string;
  segmentName: string | null;
  audience: Audience | null;
  approvedAt: string | null;
  approvedBy: string | null;
  preparationError: string | null;
  scheduledAt: string | null;
  sendingAt: string | null;
  sentAt: string | null;
  updatedAt: string;
  testSends: { at: string; emails: string[]; by: string }[];
  progress?: Progress;
  figures?: Outcome;
  clicks?: LinkClicks[];
  uncertain?: { id: string; email: string; firstName?: string; lastName?: string }[];
};

export const CAMPAIGN_STATUS_CHOICES = [
  { id: 'draft', name: 'Brouillon' },
  { id: 'preparing', name: "Préparation de l'envoi" },
  { id: 'approved', name: 'Approuvé' },
  { id: 'sending', name: 'Envoi en cours' },
  { id: 'paused', name: 'Suspendu' },
  { id: 'sent', name: 'Envoyé' },
  { id: 'cancelled', name: 'Annulé' },
];
export const campaignStatusLabel = (status: string) => CAMPAIGN_STATUS_CHOICES.find((c) => c.id === status)?.name ?? status;
