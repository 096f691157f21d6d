import { useEffect } from 'react';
import { useLocation } from 'react-router-dom';

/**
 * react-admin's login route: the login page is a plain HTML form served by the API server at
 * /admin/login (server/admin-static.ts), drawn at once where this app would load first. Going
 * there is a real page load, with the page that was asked for to come back to.
 */
export function LoginRedirect() {
  const { state } = useLocation() as { state?: { nextPathname?: string; nextSearch?: string } };
  useEffect(() => {
    const asked = state?.nextPathname && state.nextPathname !== '/login' ? `/admin${state.nextPathname}${state.nextSearch ?? ''}` : '';
    window.location.replace(`/admin/login${asked ? `?suite=${encodeURIComponent(asked)}` : ''}`);
  }, [state]);
  return null;
}
