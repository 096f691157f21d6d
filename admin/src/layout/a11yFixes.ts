import { useEffect } from 'react';

/**
 * react-admin 5's row checkboxes put their aria-label on MUI's wrapping <span> instead of the
 * <input> (axe: "aria-prohibited-attr" and "label"). Until it is fixed upstream, move it.
 */
function fixRowCheckboxes(root: ParentNode) {
  for (const span of root.querySelectorAll<HTMLElement>('span.select-item[aria-label]')) {
    const input = span.querySelector('input');
    if (!input) continue;
    input.setAttribute('aria-label', span.getAttribute('aria-label')!);
    span.removeAttribute('aria-label');
  }
}

export function useA11yFixes() {
  useEffect(() => {
    fixRowCheckboxes(document);
    const observer = new MutationObserver(() => fixRowCheckboxes(document));
    observer.observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ['aria-label'] });
    return () => observer.disconnect();
  }, []);
}
