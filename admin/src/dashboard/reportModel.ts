/** The fields of `GET /api/reports/activity` the dashboard shows (server/reports/report.service.ts). */
export type Share = { code: string; label: string; count: number; share: number };

export type ActivityReport = {
  year: number;
  contacts: { total: number; qualifiedShare: number };
  subscriptions: { subscribersAtYearEnd: number; gained: number; lost: number };
  news: { total: number; byCategory: Share[] };
  solicitations: { total: number; byType: Share[]; byRequesterType: Share[] };
  members: { total: number; unpaid: number };
};

/** What the report's screen adds. */
export type FullActivityReport = ActivityReport & { members: ActivityReport['members'] & { duesCollected: number; byKind: Share[] } };
