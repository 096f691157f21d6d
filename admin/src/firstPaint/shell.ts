import type { KeyFigure } from '../dashboard/keyFigures';
import { READ_ONLY_NOTICE } from '../layout/readOnlyNotice';

/**
 * The dashboard drawn in plain DOM, laid out like the app's (its app bar, menu column, cards),
 * over the page until the app's dashboard draws its own figures and takes its place
 * (`removeFirstPaint`).
 */
const SHELL_ID = 'first-paint';
const ADMIN = '/admin';

const STYLE = `
#${SHELL_ID}{position:fixed;inset:0;z-index:1500;overflow:auto;background:#fafafb;color:rgba(0,0,0,.87);font:400 1rem/1.5 Roboto,Helvetica,Arial,sans-serif}
#${SHELL_ID} header{display:flex;align-items:center;justify-content:space-between;height:48px;padding:0 16px 0 53px;background:#7a2e5b;color:#fff;box-shadow:0 2px 4px -1px rgba(0,0,0,.2)}
#${SHELL_ID} header p{margin:0;font-size:1.25rem;letter-spacing:.15px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
#${SHELL_ID} .fp-body{display:flex}
#${SHELL_ID} nav{flex:0 0 240px;padding-top:8px}
#${SHELL_ID} nav span,#${SHELL_ID} .fp-chart{display:block;background:rgba(0,0,0,.11);border-radius:4px}
#${SHELL_ID} nav span{height:14px;margin:11px 24px 11px 56px}
#${SHELL_ID} main{flex:1;min-width:0;padding:0 8px 16px}
#${SHELL_ID} .fp-notice{margin:8px 0 0;padding:14px 16px;border-radius:4px;background:#e5f6fd;color:#014361;font-size:.875rem;line-height:1.43}
#${SHELL_ID} h1{margin:16px 0 .35em;font-size:1.5rem;font-weight:400;line-height:1.334}
#${SHELL_ID} main>p{margin:0 0 .35em;letter-spacing:.15px}
#${SHELL_ID} ul{display:grid;grid-template-columns:repeat(6,1fr);gap:16px;margin:0 0 16px;padding:0;list-style:none}
#${SHELL_ID} li{border:1px solid rgba(0,0,0,.12);border-radius:4px;background:#fff}
#${SHELL_ID} li.fp-wide{grid-column:span 2}
#${SHELL_ID} li a,#${SHELL_ID} li>div{display:block;height:100%;box-sizing:border-box;padding:16px 16px 24px;color:inherit;text-decoration:none}
#${SHELL_ID} h2{margin:0;font-size:.875rem;font-weight:400;line-height:1.43;letter-spacing:.15px}
#${SHELL_ID} .fp-value{margin:0;font-size:2.125rem;line-height:1.235;letter-spacing:.25px}
#${SHELL_ID} .fp-detail{margin:0;font-size:.875rem;line-height:1.43;letter-spacing:.15px}
#${SHELL_ID} .fp-chart{height:320px}
@media (max-width:1199px){#${SHELL_ID} ul{grid-template-columns:repeat(3,1fr)}}
@media (max-width:899px){#${SHELL_ID} ul{grid-template-columns:repeat(2,1fr)}}
@media (max-width:599px){#${SHELL_ID} nav,#${SHELL_ID} header p+p{display:none}#${SHELL_ID} main{padding-top:8px}#${SHELL_ID} ul{grid-template-columns:1fr}#${SHELL_ID} li.fp-wide{grid-column:auto}}
`;

function element<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

function card({ label, value, detail, to, wide }: KeyFigure): HTMLLIElement {
  const content = [element('h2', {}, label), element('p', { class: 'fp-value' }, value ?? '…'), ...(detail ? [element('p', { class: 'fp-detail' }, detail)] : [])];
  const body = to ? element('a', { href: `${ADMIN}${to}` }, ...content) : element('div', {}, ...content);
  return element('li', wide ? { class: 'fp-wide' } : {}, body);
}

const appDrawn = () => document.documentElement.dataset.appDrawn === 'true';

/** Draws the first paint, unless the app is already there; `figures` fills its cards as reads answer. */
export function drawFirstPaint(user: { name: string; role: string }, year: number): { figures(figures: KeyFigure[]): void } | undefined {
  if (appDrawn()) return undefined;
  const cards = element('ul');
  const menu = element('nav', { 'aria-label': 'Menu', 'aria-busy': 'true' }, ...Array.from({ length: 8 }, () => element('span')));
  const shell = element(
    'div',
    { id: SHELL_ID },
    element('style', {}, STYLE),
    element('header', {}, element('p', {}, 'Tableau de bord'), element('p', {}, user.name)),
    element(
      'div',
      { class: 'fp-body' },
      menu,
      element(
        'main',
        {},
        ...(user.role === 'board' ? [element('p', { class: 'fp-notice' }, READ_ONLY_NOTICE)] : []),
        element('h1', {}, `Bonjour ${user.name}`),
        element('p', {}, `Chiffres de l'année ${year}`),
        cards,
        element('div', { class: 'fp-chart', 'aria-hidden': 'true' }),
      ),
    ),
  );
  document.body.prepend(shell);
  return { figures: (figures) => cards.replaceChildren(...figures.map(card)) };
}

/** The app has drawn its screen: the first paint makes way (and is not drawn if its reads come later). */
export function removeFirstPaint(): void {
  document.documentElement.dataset.appDrawn = 'true';
  document.getElementById(SHELL_ID)?.remove();
}
