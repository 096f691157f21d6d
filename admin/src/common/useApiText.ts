import { useEffect, useState } from 'react';

/** The text of an API path (previews, Markdown reports). */
export function useApiText(path: string | undefined): string | undefined {
  const [text, setText] = useState<string>();
  useEffect(() => {
    if (!path) return;
    let cancelled = false;
    fetch(`/api${path}`, { credentials: 'same-origin' })
      .then((r) => (r.ok ? r.text() : Promise.reject(new Error(`Erreur ${r.status}`))))
      .then((t) => !cancelled && setText(t))
      .catch((e: Error) => !cancelled && setText(e.message));
    return () => {
      cancelled = true;
    };
  }, [path]);
  return text;
}
