import { GlobalStyles } from '@mui/material';
import { useEffect, type ReactNode } from 'react';
import { AppBar, Layout as RaLayout, UserMenu, useGetIdentity } from 'react-admin';
import { preloadScreens } from '../common/lazyScreens';
import { removeFirstPaint } from '../firstPaint/shell';
import { useA11yFixes } from './a11yFixes';
import { Menu } from './Menu';
import { ReadOnlyBanner } from './ReadOnlyBanner';
import { useDocumentTitle } from './useDocumentTitle';

/** The account button shows the user's name; its accessible name must contain that visible text. */
function AccountMenu() {
  const { identity } = useGetIdentity();
  return <UserMenu label={identity?.fullName ? `${identity.fullName} : menu du compte` : 'Menu du compte'} />;
}

function MaillageAppBar() {
  return <AppBar userMenu={<AccountMenu />} />;
}

/** On a tablet, a wide table scrolls inside its card instead of widening the whole page. */
const TABLET = {
  'body .layout': { minWidth: 0 }, // react-admin's "fit-content" lets the widest table widen the page
  'body .RaLayout-content, body .RaList-main': { minWidth: 0 },
  'body .RaDataTable-tableWrapper': { overflowX: 'auto' },
} as const;

/** Once the first screen has had its time, the other screens load in the background. */
function usePreloadedScreens() {
  useEffect(() => {
    const timer = window.setTimeout(preloadScreens, 3000);
    return () => window.clearTimeout(timer);
  }, []);
}

/**
 * The dashboard takes the first paint's place as soon as it draws its figures (Dashboard.tsx);
 * should it never draw (an error), the first paint still makes way for the app.
 */
function useFirstPaintRemoved() {
  useEffect(() => {
    const timer = window.setTimeout(removeFirstPaint, 2000);
    return () => window.clearTimeout(timer);
  }, []);
}

export function Layout({ children }: { children: ReactNode }) {
  useFirstPaintRemoved();
  useA11yFixes();
  useDocumentTitle();
  usePreloadedScreens();
  return (
    <RaLayout appBar={MaillageAppBar} menu={Menu}>
      <GlobalStyles styles={TABLET} />
      <ReadOnlyBanner />
      {children}
    </RaLayout>
  );
}
