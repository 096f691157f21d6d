import { useEffect } from 'react';

/**
 * The browser tab names the screen ("Contacts — Maillage"): react-admin writes each screen's
 * title into the app bar's `#react-admin-title`; the tab follows it.
 */
export function useDocumentTitle() {
  useEffect(() => {
    const sync = () => {
      const screen = document.getElementById('react-admin-title')?.textContent?.trim();
      const title = screen ? `${screen} — Maillage` : 'Maillage';
      if (document.title !== title) document.title = title;
    };
    sync();
    const observer = new MutationObserver(sync);
    observer.observe(document.body, { childList: true, subtree: true, characterData: true });
    return () => observer.disconnect();
  }, []);
}
