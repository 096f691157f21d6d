import { useCallback, useEffect, useState } from 'react';
import { API_URL, callApi } from '../dataProvider';
import { arrivedEarly } from './earlyReads';

/**
 * GET of an API path outside the REST resources (history, figures, progress...); `reload`
 * re-fetches. An answer the first paint already has is there from the first render.
 */
export function useApi<T>(path: string | undefined, options: { refreshMs?: number } = {}) {
  const [data, setData] = useState<T | undefined>(() => (path ? arrivedEarly<T>(`${API_URL}${path}`) : undefined));
  const [error, setError] = useState<Error | undefined>();
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  useEffect(() => {
    if (!path) return;
    let cancelled = false;
    callApi<T>(path)
      .then((value) => !cancelled && (setData(value), setError(undefined)))
      .catch((e: Error) => !cancelled && setError(e));
    const timer = options.refreshMs ? setTimeout(reload, options.refreshMs) : undefined;
    return () => {
      cancelled = true;
      if (timer) clearTimeout(timer);
    };
  }, [path, tick, options.refreshMs, reload]);
  return { data, error, isPending: !data && !error, reload };
}
