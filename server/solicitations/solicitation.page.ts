import type { Config } from '../lib/config.js';
import { html, raw, renderPage } from '../public/page.js';
import { vocabularyOf } from '../vocabularies/vocabulary.service.js';
import { MESSAGE_MAX } from './solicitation.model.js';

type FormState = { values?: Record<string, unknown>; error?: { field: string; message: string } };

const value = (state: FormState, name: string) => (typeof state.values?.[name] === 'string' ? (state.values[name] as string) : '');

function input(state: FormState, name: string, label: string, options: { type?: string; required?: boolean; autocomplete?: string; hint?: string } = {}) {
  const invalid = state.error?.field === name;
  return html`<label for="${name}">${label}${options.required ? ' (obligatoire)' : ''}</label>
${raw(options.hint ? html`<p class="hint" id="${name}-hint">${options.hint}</p>` : '')}
<input type="${options.type ?? 'text'}" id="${name}" name="${name}" value="${value(state, name)}"${raw(options.required ? ' required' : '')}${raw(
    options.autocomplete ? ` autocomplete="${options.autocomplete}"` : '',
  )}${raw(invalid ? ' aria-invalid="true" aria-describedby="erreur"' : options.hint ? ` aria-describedby="${name}-hint"` : '')}>`;
}

async function select(state: FormState, name: string, label: string, kind: 'solicitationTypes' | 'requesterTypes', required: boolean) {
  const entries = (await vocabularyOf(kind)).filter((entry) => entry.active);
  const selected = value(state, name);
  const invalid = state.error?.field === name;
  return html`<label for="${name}">${label}${required ? ' (obligatoire)' : ''}</label>
<select id="${name}" name="${name}"${raw(required ? ' required' : '')}${raw(invalid ? ' aria-invalid="true" aria-describedby="erreur"' : '')}>
<option value="">— Choisir —</option>
${entries.map((entry) => raw(html`<option value="${entry.code}"${raw(entry.code === selected ? ' selected' : '')}>${entry.label}</option>`))}
</select>`;
}

/** The public request form; on an error, the message names the field and the values are kept. */
export async function solicitationForm(config: Config, state: FormState = {}): Promise<string> {
  const body = html`${raw(state.error ? html`<p class="error" id="erreur" role="alert">${state.error.message}</p>` : '')}
<p>Vous cherchez une information, une ressource, un contact, un appui pour une démarche territoriale de santé, ou vous souhaitez faire relayer une offre d'emploi ou un événement ? Écrivez-nous : l'équipe vous répondra.</p>
<form method="post" action="/sollicitation">
${raw(input(state, 'email', 'Adresse e-mail', { type: 'email', required: true, autocomplete: 'email' }))}
${raw(input(state, 'firstName', 'Prénom', { autocomplete: 'given-name' }))}
${raw(input(state, 'lastName', 'Nom', { autocomplete: 'family-name' }))}
${raw(input(state, 'organisationName', 'Structure', { autocomplete: 'organization' }))}
${raw(await select(state, 'requesterType', 'Vous êtes', 'requesterTypes', false))}
${raw(await select(state, 'type', 'Objet de la demande', 'solicitationTypes', true))}
${raw(input(state, 'territory', 'Territoire', { hint: 'Commune, département ou région concernés, par exemple « Saint-Denis (93) ».' }))}
<label for="message">Message (obligatoire)</label>
<p class="hint" id="message-hint">${MESSAGE_MAX.toLocaleString('fr-FR')} caractères au plus.</p>
<textarea id="message" name="message" rows="8" maxlength="${MESSAGE_MAX}" required aria-describedby="${state.error?.field === 'message' ? 'erreur' : 'message-hint'}"${raw(
    state.error?.field === 'message' ? ' aria-invalid="true"' : '',
  )}>${value(state, 'message')}</textarea>
<div class="trap" aria-hidden="true"><label for="site">Ne pas remplir ce champ</label><input type="text" id="site" name="site" tabindex="-1" autocomplete="off"></div>
<p class="hint">Vos coordonnées servent uniquement à répondre à votre demande et à en garder la trace.</p>
<button type="submit">Envoyer ma demande</button>
</form>`;
  return renderPage({ title: 'Nous adresser une demande', body, config });
}

export function solicitationThanks(config: Config): string {
  const body = html`<p role="status">Merci, votre demande est bien reçue. Un accusé de réception vous est envoyé par e-mail et l'équipe vous répondra dans les meilleurs délais.</p>`;
  return renderPage({ title: 'Demande envoyée', body, config });
}
