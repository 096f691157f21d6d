import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { authProvider } from './authProvider';

// Ask who is logged in while React mounts: the first screen does not wait for this round trip
// (on the dashboard, the first paint has asked already: common/earlyReads.ts).
authProvider.checkAuth({}).catch(() => undefined);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
