import { useState } from 'react';
import { useNotify } from 'react-admin';
import { callApi } from '../dataProvider';

/**
 * The actions of a review page (test, approve, send, pause…): a call under `base`, a French
 * notice of success or of the API's error, then `reload`. `busy` while a call runs.
 */
export function useMailingAction(base: string, reload: () => void) {
  const [busy, setBusy] = useState(false);
  const notify = useNotify();
  async function act<T = unknown>(path: string, init: { method?: string; body?: unknown }, message: string): Promise<T | undefined> {
    setBusy(true);
    try {
      const result = await callApi<T>(`${base}${path}`, { method: 'POST', ...init });
      notify(message, { type: 'success' });
      reload();
      return result;
    } catch (e) {
      notify((e as Error).message, { type: 'error' });
      return undefined;
    } finally {
      setBusy(false);
    }
  }
  return { busy, act };
}
