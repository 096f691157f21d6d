/**
 * The first paint: a script of a few kilobytes that index.html runs before the app's bundle
 * (~1 MB, whose evaluation and first render take most of a cold load). When the dashboard is
 * the page opened, it starts every read of the dashboard and, once the session is known, draws
 * the key figures (shell.ts). The app then takes those reads' answers (common/earlyReads.ts):
 * nothing is asked twice. Built apart by admin/vite.config.ts.
 */
import { API_URL, IDENTITY_PATH, readEarly } from '../common/earlyReads';
import { activityPath, DASHBOARD_COUNTS_PATH, dashboardReads, keyFigures, type DashboardCounts } from '../dashboard/keyFigures';
import type { ActivityReport } from '../dashboard/reportModel';
import { drawFirstPaint } from './shell';

function firstPaintOfDashboard(): void {
  const year = new Date().getFullYear();
  const answers = new Map(dashboardReads(year).map((path) => [path, readEarly(`${API_URL}${path}`)]));
  const read = <T>(path: string) => answers.get(path) as Promise<T | undefined>;
  void read<{ user: { name: string; role: string } }>(IDENTITY_PATH).then((me) => {
    if (!me) return; // signed out: the app sends the visitor to the login page
    const shell = drawFirstPaint(me.user, year);
    if (!shell) return;
    let counts: DashboardCounts | undefined;
    let report: ActivityReport | undefined;
    const show = () => shell.figures(keyFigures(counts, report));
    show();
    void read<DashboardCounts>(DASHBOARD_COUNTS_PATH).then((value) => ((counts = value), show()));
    void read<ActivityReport>(activityPath(year)).then((value) => ((report = value), show()));
  });
}

if (/^\/admin\/?$/.test(window.location.pathname)) firstPaintOfDashboard();
