import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { authProvider } from './authProvider';
import { startDashboardReads } from './dashboard/Dashboard';

// Ask who is logged in, and the dashboard's figures when it is the page opened, while React
// mounts: the first screen does not wait for these round trips.
authProvider.checkAuth({}).catch(() => undefined);
if (/^\/admin\/?$/.test(window.location.pathname)) startDashboardReads();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
