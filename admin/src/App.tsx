import AccountTreeIcon from '@mui/icons-material/AccountTree';
import BusinessIcon from '@mui/icons-material/Business';
import CampaignIcon from '@mui/icons-material/Campaign';
import CardMembershipIcon from '@mui/icons-material/CardMembership';
import ContactsIcon from '@mui/icons-material/Contacts';
import EventIcon from '@mui/icons-material/Event';
import FilterAltIcon from '@mui/icons-material/FilterAlt';
import ListIcon from '@mui/icons-material/FormatListBulleted';
import ListAltIcon from '@mui/icons-material/ListAlt';
import MailIcon from '@mui/icons-material/Mail';
import PeopleIcon from '@mui/icons-material/ManageAccounts';
import NewspaperIcon from '@mui/icons-material/Newspaper';
import OutboxIcon from '@mui/icons-material/Outbox';
import PlaceIcon from '@mui/icons-material/Place';
import QuestionAnswerIcon from '@mui/icons-material/QuestionAnswer';
import ShortTextIcon from '@mui/icons-material/ShortText';
import SubscriptionsIcon from '@mui/icons-material/Subscriptions';
import UploadFileIcon from '@mui/icons-material/UploadFile';
import { lazy, Suspense } from 'react';
import { Admin, CustomRoutes, Resource } from 'react-admin';
import { BrowserRouter, Route } from 'react-router-dom';
import { authProvider } from './authProvider';
import { lazyScreens } from './common/lazyScreens';
import { contactName, type Contact } from './contacts/contactModel';
import { Dashboard } from './dashboard/Dashboard';
import { dataProvider } from './dataProvider';
import { i18nProvider } from './i18n';
import { Layout } from './layout/Layout';
import { LoginRedirect } from './layout/LoginRedirect';
import { theme } from './theme';

// Screens outside the resources, loaded when opened (the report brings its charts).
const ActivityReportPage = lazy(() => import('./dashboard/ActivityReportPage'));
const CheckInPage = lazy(() => import('./events/CheckIn'));

// Each resource's screens come in their own chunk (common/lazyScreens); icons and names stay here,
// for the menu and the references shown before any screen is opened.
const screens = {
  contacts: lazyScreens(() => import('./contacts'), ['list', 'show', 'edit', 'create']),
  organisations: lazyScreens(() => import('./organisations'), ['list', 'show', 'edit', 'create']),
  segments: lazyScreens(() => import('./segments'), ['list', 'show', 'edit', 'create']),
  lists: lazyScreens(() => import('./lists'), ['list', 'edit', 'create']),
  subscriptions: lazyScreens(() => import('./subscriptions'), ['list', 'edit', 'create']),
  imports: lazyScreens(() => import('./imports'), ['list', 'show', 'create']),
  news: lazyScreens(() => import('./news'), ['list', 'edit', 'create']),
  newsletters: lazyScreens(() => import('./newsletters'), ['list', 'show']),
  campaigns: lazyScreens(() => import('./campaigns'), ['list', 'show', 'edit', 'create']),
  memberships: lazyScreens(() => import('./memberships'), ['list', 'edit', 'create']),
  events: lazyScreens(() => import('./events'), ['list', 'show', 'edit', 'create']),
  solicitations: lazyScreens(() => import('./solicitations'), ['list', 'edit', 'create']),
  solicitationTemplates: lazyScreens(() => import('./solicitations/templates'), ['list', 'edit', 'create']),
  themes: lazyScreens(() => import('./themes'), ['list', 'edit', 'create']),
  territories: lazyScreens(() => import('./territories'), ['list']),
  vocabularies: lazyScreens(() => import('./vocabularies'), ['list', 'edit', 'create']),
  outbox: lazyScreens(() => import('./outbox'), ['list', 'show']),
  users: lazyScreens(() => import('./users'), ['list', 'edit', 'create']),
};

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
        loginPage={LoginRedirect}
        theme={theme}
        requireAuth
        disableTelemetry
      >
        <Resource name="contacts" {...screens.contacts} icon={ContactsIcon} recordRepresentation={(c: Contact) => contactName(c)} />
        <Resource name="organisations" {...screens.organisations} icon={BusinessIcon} recordRepresentation="name" />
        <Resource name="segments" {...screens.segments} icon={FilterAltIcon} recordRepresentation="name" />
        <Resource name="lists" {...screens.lists} icon={ListAltIcon} recordRepresentation="name" />
        <Resource name="subscriptions" {...screens.subscriptions} icon={SubscriptionsIcon} />
        <Resource name="imports" {...screens.imports} icon={UploadFileIcon} recordRepresentation="fileName" />
        <Resource name="news" {...screens.news} icon={NewspaperIcon} recordRepresentation="title" />
        <Resource name="newsletters" {...screens.newsletters} icon={MailIcon} recordRepresentation="title" />
        <Resource name="campaigns" {...screens.campaigns} icon={CampaignIcon} recordRepresentation="subject" />
        <Resource name="memberships" {...screens.memberships} icon={CardMembershipIcon} />
        <Resource name="events" {...screens.events} icon={EventIcon} recordRepresentation="title" />
        <Resource name="registrations" />
        <Resource name="solicitations" {...screens.solicitations} icon={QuestionAnswerIcon} recordRepresentation="subject" />
        <Resource name="solicitation-templates" {...screens.solicitationTemplates} icon={ShortTextIcon} recordRepresentation="name" />
        <Resource name="themes" {...screens.themes} icon={AccountTreeIcon} recordRepresentation="name" />
        <Resource name="territories" {...screens.territories} icon={PlaceIcon} recordRepresentation="label" />
        <Resource name="vocabularies" {...screens.vocabularies} icon={ListIcon} recordRepresentation="label" />
        <Resource name="outbox" {...screens.outbox} icon={OutboxIcon} recordRepresentation="subject" />
        <Resource name="users" {...screens.users} icon={PeopleIcon} recordRepresentation="name" />
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
