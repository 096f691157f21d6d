import { parisYear } from '../lib/paris-time.js';
import type { PaymentStatus } from './membership.model.js';

/**
 * A member's state at a given instant — the one place for the rule (README, "Adhésions"):
 * let Y be the Paris calendar year of the instant;
 * - `a-jour`: the membership of Y is paid (on or before the instant) or waived;
 * - `en-retard`: the membership of Y is recorded but not paid yet, or there is none for Y
 *   while the membership of Y−1 was settled (the renewal is pending);
 * - `ancien-membre`: an earlier membership exists but neither case above holds;
 * - `non-membre`: no membership up to Y.
 * A membership counts as known for its whole year, whenever it was recorded.
 */
export const MEMBER_STATES = ['a-jour', 'en-retard', 'ancien-membre', 'non-membre'] as const;
export type MemberState = (typeof MEMBER_STATES)[number];
export const MEMBER_STATE_LABELS: Record<MemberState, string> = {
  'a-jour': 'À jour',
  'en-retard': 'En retard',
  'ancien-membre': 'Ancien·ne membre',
  'non-membre': 'Non membre',
};

export type MembershipFacts = { year: number; paymentStatus: PaymentStatus | string; paidAt?: Date | null };

export function isSettledAt(membership: MembershipFacts, at: Date): boolean {
  if (membership.paymentStatus === 'waived') return true;
  return membership.paymentStatus === 'paid' && (!membership.paidAt || membership.paidAt.getTime() <= at.getTime());
}

/** `memberships`: every membership of ONE member (any order). */
export function memberStateFrom(memberships: readonly MembershipFacts[], at: Date): MemberState {
  const year = parisYear(at);
  const current = memberships.find((m) => m.year === year);
  if (current) return isSettledAt(current, at) ? 'a-jour' : 'en-retard';
  const previous = memberships.find((m) => m.year === year - 1);
  if (previous && isSettledAt(previous, at)) return 'en-retard';
  if (memberships.some((m) => m.year < year)) return 'ancien-membre';
  return 'non-membre';
}

/** Members in good standing or whose renewal is pending count as members (adhérent·es). */
export function countsAsMember(state: MemberState): boolean {
  return state === 'a-jour' || state === 'en-retard';
}

/** The member of a membership, from its fields: the one rule a `memberKey` is made by. */
export function memberOf(m: { organisation?: unknown; contact?: unknown }): string {
  return m.organisation ? `organisation:${String(m.organisation)}` : `contact:${String(m.contact)}`;
}
