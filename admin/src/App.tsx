import { Admin, Resource } from 'react-admin';
import { BrowserRouter } from 'react-router-dom';
import { authProvider } from './authProvider';
import { Dashboard } from './dashboard/Dashboard';
import { dataProvider } from './dataProvider';
import { i18nProvider } from './i18n';
import { Layout } from './layout/Layout';
import { theme } from './theme';
import contacts from './contacts';
import imports from './imports';
import news from './news';
import newsletters from './newsletters';
import organisations from './organisations';
import territories from './territories';
import themes from './themes';
import users from './users';
import vocabularies from './vocabularies';

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
      <Resource name="imports" {...imports} />
      <Resource name="news" {...news} />
      <Resource name="newsletters" {...newsletters} />
      <Resource name="themes" {...themes} />
      <Resource name="territories" {...territories} />
      <Resource name="vocabularies" {...vocabularies} />
      <Resource name="users" {...users} />
    </Admin>
    </BrowserRouter>
  );
}
