import type { Config } from '../lib/config.js';

/** Escapes a value for HTML text or a double-quoted attribute. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Tagged template: interpolated values are escaped unless wrapped with `raw()`. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): string {
  return strings.reduce((out, piece, i) => out + piece + (i < values.length ? interpolate(values[i]) : ''), '');
}

const RAW = Symbol('raw');
type Raw = { [RAW]: string };
export const raw = (value: string): Raw => ({ [RAW]: value });

function interpolate(value: unknown): string {
  if (Array.isArray(value)) return value.map(interpolate).join('');
  if (value && typeof value === 'object' && RAW in value) return (value as Raw)[RAW];
  return escapeHtml(value);
}

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;font-size:1.0625rem;line-height:1.6;color:#1b1b1b;background:#f6f6f4}
a{color:#0b5394}
a:focus,button:focus,input:focus,select:focus,textarea:focus{outline:3px solid #f0a30a;outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem;z-index:1}
header,footer{background:#12355b;color:#fff;padding:1rem}
header a,footer a{color:#fff}
header p{margin:0;font-weight:700;font-size:1.2rem}
main{max-width:40rem;margin:2rem auto;padding:1.5rem;background:#fff;border-radius:6px}
h1{font-size:1.6rem;line-height:1.3;margin-top:0}
label{display:block;font-weight:600;margin-top:1rem}
input[type=text],input[type=email],select,textarea{display:block;width:100%;padding:.5rem;font:inherit;border:1px solid #595959;border-radius:4px}
fieldset{border:1px solid #767676;border-radius:4px;margin-top:1rem}
fieldset label{font-weight:400;margin-top:.25rem}
.hint{color:#4a4a4a;font-size:.95rem;margin:.25rem 0 0}
button{margin-top:1.5rem;padding:.6rem 1.2rem;font:inherit;font-weight:600;color:#fff;background:#12355b;border:0;border-radius:4px;cursor:pointer}
button.secondary{background:#8a1c1c}
.error{color:#8a1c1c;font-weight:600}
.trap{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}
footer{font-size:.9rem;text-align:center}
`;

/**
 * The one accessible French layout of every server-rendered public page: language, skip link,
 * landmarks, visible focus, no JavaScript. `body` is HTML the caller built with `html` (escaped).
 */
export function renderPage({ title, body, config }: { title: string; body: string; config: Config }): string {
  const org = config.organisation;
  return `<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)} – ${escapeHtml(org.name)}</title>
<style>${STYLE}</style>
</head>
<body>
<a class="skip" href="#contenu">Aller au contenu</a>
<header role="banner">${org.logoUrl ? `<img src="${escapeHtml(org.logoUrl)}" alt="" height="40"> ` : ''}<p>${escapeHtml(org.name)}</p></header>
<main id="contenu" role="main" tabindex="-1">
<h1>${escapeHtml(title)}</h1>
${body}
</main>
<footer role="contentinfo"><p>${escapeHtml(org.address)}</p></footer>
</body>
</html>`;
}
