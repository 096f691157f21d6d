import type { Config } from '../lib/config.js';
import { html, raw, renderPage } from './page.js';

type Option = { value: string; label: string };
export type SubscribeFormView = {
  lists: Array<{ code: string; name: string; description: string; consentWording: string }>;
  functions: Option[];
  themes: Option[];
  values?: Record<string, unknown>;
  error?: { field?: string; message: string };
};

const fieldError = (view: SubscribeFormView, field: string) =>
  view.error?.field === field ? raw(html`<p class="error" id="erreur-${field}">${view.error.message}</p>`) : '';
const invalid = (view: SubscribeFormView, field: string) => (view.error?.field === field ? raw(` aria-invalid="true" aria-describedby="erreur-${field}"`) : '');
const value = (view: SubscribeFormView, field: string) => String(view.values?.[field] ?? '');
const chosen = (view: SubscribeFormView, field: string, v: string, byDefault = false) => {
  const current = view.values?.[field];
  const values = current === undefined ? (byDefault ? [v] : []) : Array.isArray(current) ? current : [current];
  return values.includes(v) ? raw(' checked') : '';
};

export function subscribePage(config: Config, view: SubscribeFormView): string {
  const textInput = (field: string, label: string, type = 'text', autocomplete = '', required = false) => html`
<label for="${field}">${label}${required ? ' (obligatoire)' : ''}</label>
<input type="${type}" id="${field}" name="${field}" value="${value(view, field)}"${raw(autocomplete ? ` autocomplete="${autocomplete}"` : '')}${raw(required ? ' required' : '')}${invalid(view, field)}>
${fieldError(view, field)}`;
  const body = html`
${view.error && !view.error.field ? raw(html`<p class="error" role="alert">${view.error.message}</p>`) : ''}
${view.error?.field ? raw(html`<p class="error" role="alert">Le formulaire contient une erreur : ${view.error.message}</p>`) : ''}
<p>Recevez chaque mois l'actualité de la promotion de la santé dans les territoires. Un message de confirmation vous sera envoyé : l'abonnement n'est effectif qu'après avoir cliqué sur le lien qu'il contient.</p>
<form method="post" action="/abonnement" novalidate>
${raw(textInput('email', 'Adresse e-mail', 'email', 'email', true))}
${raw(textInput('firstName', 'Prénom', 'text', 'given-name'))}
${raw(textInput('lastName', 'Nom', 'text', 'family-name'))}
${raw(textInput('organisation', 'Structure (facultatif)', 'text', 'organization'))}
<label for="function">Fonction (facultatif)</label>
<select id="function" name="function"${invalid(view, 'function')}>
<option value="">—</option>
${view.functions.map((f) => raw(html`<option value="${f.value}"${value(view, 'function') === f.value ? raw(' selected') : ''}>${f.label}</option>`))}
</select>
${fieldError(view, 'function')}
${raw(textInput('territory', 'Territoire (commune, département ou région, facultatif)'))}
<fieldset${invalid(view, 'lists')}>
<legend>Je souhaite recevoir</legend>
${view.lists.map((l) =>
  raw(html`<label><input type="checkbox" name="lists" value="${l.code}"${chosen(view, 'lists', l.code, true)}> ${l.name}</label><p class="hint">${l.consentWording || l.description}</p>`),
)}
</fieldset>
${fieldError(view, 'lists')}
${
  view.themes.length
    ? raw(html`<fieldset${invalid(view, 'themes')}>
<legend>Thèmes qui m'intéressent (facultatif)</legend>
${view.themes.map((t) => raw(html`<label><input type="checkbox" name="themes" value="${t.value}"${chosen(view, 'themes', t.value)}> ${t.label}</label>`))}
</fieldset>
${fieldError(view, 'themes')}`)
    : ''
}
<div class="trap" aria-hidden="true"><label for="website">Ne remplissez pas ce champ</label><input type="text" id="website" name="website" tabindex="-1" autocomplete="off"></div>
<button type="submit">Je m'abonne</button>
</form>
<p class="hint">Vos données servent uniquement à vous adresser les envois choisis ; elles ne sont jamais cédées. Vous pouvez vous désabonner à tout moment par le lien présent dans chaque envoi.</p>`;
  return renderPage({ title: "S'abonner à la lettre", body, config });
}

export function checkInboxPage(config: Config): string {
  const body = html`<p role="status">Merci. Si cette adresse peut recevoir nos envois, un message vient de lui être adressé.</p>
<p>Ouvrez-le et cliquez sur le lien qu'il contient pour confirmer votre abonnement (le lien est valable 7 jours). Pensez à regarder dans les courriers indésirables.</p>`;
  return renderPage({ title: 'Vérifiez votre messagerie', body, config });
}

export function confirmedPage(config: Config, lists: string[]): string {
  const body = html`<p role="status">Merci, votre abonnement est confirmé : ${lists.map((l, i) => `${i ? ', ' : ''}« ${l} »`).join('')}.</p>
<p>Chaque envoi contient un lien pour gérer vos préférences ou vous désabonner.</p>`;
  return renderPage({ title: 'Abonnement confirmé', body, config });
}

export function invalidLinkPage(config: Config): string {
  const body = html`<p>Ce lien n'est pas valide ou a expiré.</p>
<p>Vous pouvez <a href="/abonnement">refaire une demande d'abonnement</a>, ou utiliser le lien du dernier message reçu.</p>`;
  return renderPage({ title: 'Lien non valide', body, config });
}

export function unsubscribeConfirmPage(config: Config, listName: string, alreadyDone: boolean): string {
  const body = alreadyDone
    ? html`<p>Vous ne recevez plus « ${listName} ».</p>`
    : html`<p>Vous êtes sur le point de vous désabonner de « ${listName} ».</p>
<form method="post"><input type="hidden" name="confirm" value="1"><button type="submit" class="secondary">Confirmer le désabonnement</button></form>`;
  return renderPage({ title: 'Se désabonner', body, config });
}

export function unsubscribedPage(config: Config, listName: string, preferencesUrl: string): string {
  const body = html`<p role="status">C'est fait : vous ne recevrez plus « ${listName} ».</p>
<p>Vous pouvez <a href="${preferencesUrl}">gérer l'ensemble de vos abonnements</a>.</p>`;
  return renderPage({ title: 'Désabonnement confirmé', body, config });
}

export type PreferencesView = {
  firstName: string;
  lists: Array<{ id: string; name: string; description: string; subscribed: boolean }>;
  themes: Array<{ id: string; name: string; chosen: boolean }>;
  saved?: boolean;
  error?: string;
};

export function preferencesPage(config: Config, view: PreferencesView): string {
  const body = html`
${view.saved ? raw('<p role="status"><strong>Vos préférences sont enregistrées.</strong></p>') : ''}
${view.error ? raw(html`<p class="error" role="alert">${view.error}</p>`) : ''}
<p>Bonjour${view.firstName ? ` ${view.firstName}` : ''}, choisissez ce que vous recevez.</p>
<form method="post">
<fieldset><legend>Mes abonnements</legend>
${view.lists.map((l) => raw(html`<label><input type="checkbox" name="lists" value="${l.id}"${l.subscribed ? raw(' checked') : ''}> ${l.name}</label><p class="hint">${l.description}</p>`))}
</fieldset>
${
  view.themes.length
    ? raw(html`<fieldset><legend>Thèmes qui m'intéressent</legend>
${view.themes.map((t) => raw(html`<label><input type="checkbox" name="themes" value="${t.id}"${t.chosen ? raw(' checked') : ''}> ${t.name}</label>`))}
</fieldset>`)
    : ''
}
<button type="submit" name="action" value="save">Enregistrer mes choix</button>
<button type="submit" name="action" value="leave" class="secondary">Me désabonner de tout</button>
</form>`;
  return renderPage({ title: 'Mes préférences', body, config });
}

export function leftPage(config: Config): string {
  return renderPage({ title: 'Désabonnement confirmé', body: html`<p role="status">Vous ne recevrez plus aucun envoi de notre part.</p>`, config });
}

export function errorPage(config: Config, title: string, message: string): string {
  return renderPage({ title, body: html`<p class="error" role="alert">${message}</p>`, config });
}
