import type { ReactNode } from 'react';
import { AppBar, Layout as RaLayout, UserMenu, useGetIdentity } from 'react-admin';
import { useA11yFixes } from './a11yFixes';

/** The account button shows the user's name; its accessible name must contain that visible text. */
function AccountMenu() {
  const { identity } = useGetIdentity();
  return <UserMenu label={identity?.fullName ? `${identity.fullName} : menu du compte` : 'Menu du compte'} />;
}

function MaillageAppBar() {
  return <AppBar userMenu={<AccountMenu />} />;
}

export function Layout({ children }: { children: ReactNode }) {
  useA11yFixes();
  return <RaLayout appBar={MaillageAppBar}>{children}</RaLayout>;
}
