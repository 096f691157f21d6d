import { lazy, Suspense } from 'react';
import { Admin, CustomRoutes, Resource } from 'react-admin';
import { BrowserRouter, Route } from 'react-router-dom';
import { authProvider } from './authProvider';
import campaigns from './campaigns';
import contacts from './contacts';
import events from './events';
import { Dashboard } from './dashboard/Dashboard';
import { dataProvider } from './dataProvider';
import { i18nProvider } from './i18n';
import imports from './imports';
import { Layout } from './layout/Layout';
import lists from './lists';
import memberships from './memberships';
import news from './news';
import newsletters from './newsletters';
import organisations from './organisations';
import outbox from './outbox';
import segments from './segments';
import solicitations from './solicitations';
import solicitationTemplates from './solicitations/templates';
import subscriptions from './subscriptions';
import territories from './territories';
import { theme } from './theme';
import themes from './themes';
import users from './users';
import vocabularies from './vocabularies';

// Screens outside the resources, loaded when opened (the report brings its charts).
const ActivityReportPage = lazy(() => import('./dashboard/ActivityReportPage'));
const CheckInPage = lazy(() => import('./events/CheckIn'));

export function App() {
  // Real paths under /admin (not react-admin's default hash router): links can be shared and reloaded.
  return (
    <BrowserRouter basename="/admin">
      <Admin
        title="Maillage"
        dataProvider={dataProvider}
        authProvider={authProvider}
        i18nProvider={i18nProvider}
        dashboard={Dashboard}
        layout={Layout}
        theme={theme}
        requireAuth
        disableTelemetry
      >
        <Resource name="contacts" {...contacts} />
        <Resource name="organisations" {...organisations} />
        <Resource name="segments" {...segments} />
        <Resource name="lists" {...lists} />
        <Resource name="subscriptions" {...subscriptions} />
        <Resource name="imports" {...imports} />
        <Resource name="news" {...news} />
        <Resource name="newsletters" {...newsletters} />
        <Resource name="campaigns" {...campaigns} />
        <Resource name="memberships" {...memberships} />
        <Resource name="events" {...events} />
        <Resource name="registrations" />
        <Resource name="solicitations" {...solicitations} />
        <Resource name="solicitation-templates" {...solicitationTemplates} />
        <Resource name="themes" {...themes} />
        <Resource name="territories" {...territories} />
        <Resource name="vocabularies" {...vocabularies} />
        <Resource name="outbox" {...outbox} />
        <Resource name="users" {...users} />
        <CustomRoutes>
          <Route
            path="/rencontres/:id/emargement"
            element={
              <Suspense fallback={null}>
                <CheckInPage />
              </Suspense>
            }
          />
          <Route
            path="/rapport-activite"
            element={
              <Suspense fallback={null}>
                <ActivityReportPage />
              </Suspense>
            }
          />
        </CustomRoutes>
      </Admin>
    </BrowserRouter>
  );
}
