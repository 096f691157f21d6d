import { Admin, Resource } from 'react-admin';
import { authProvider } from './authProvider';
import { Dashboard } from './dashboard/Dashboard';
import { dataProvider } from './dataProvider';
import { i18nProvider } from './i18n';
import { theme } from './theme';
import users from './users';
import vocabularies from './vocabularies';

export function App() {
  return (
    <Admin
      basename="/admin"
      title="Maillage"
      dataProvider={dataProvider}
      authProvider={authProvider}
      i18nProvider={i18nProvider}
      dashboard={Dashboard}
      theme={theme}
      requireAuth
      disableTelemetry
    >
      <Resource name="vocabularies" {...vocabularies} />
      <Resource name="users" {...users} />
    </Admin>
  );
}
