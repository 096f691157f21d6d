import type { Config } from '../lib/config.js';
import { html, raw, renderPage } from '../public/page.js';
import { eventWhen } from './event.mail.js';
import type { EventRecord } from './event.model.js';

type Option = { value: string; label: string };
export type RegistrationFormView = {
  event: EventRecord;
  organisationTypes: Option[];
  functions: Option[];
  dispositifs: Option[];
  full: boolean;
  closedReason?: string;
  values?: Record<string, unknown>;
  error?: { field?: string; message: string };
};

const text = (values: Record<string, unknown> | undefined, name: string) => (typeof values?.[name] === 'string' ? (values[name] as string) : '');
const chosen = (values: Record<string, unknown> | undefined, name: string) => [values?.[name] ?? []].flat().map(String);
const invalid = (view: { error?: { field?: string } }, name: string) => (view.error?.field === name ? raw(' aria-invalid="true" aria-describedby="erreur"') : '');

function input(view: RegistrationFormView, name: string, label: string, options: { type?: string; required?: boolean; autocomplete?: string; hint?: string } = {}) {
  return html`<label for="${name}">${label}${options.required ? ' (obligatoire)' : ''}</label>
${options.hint ? raw(html`<p class="hint" id="${name}-hint">${options.hint}</p>`) : ''}
<input type="${options.type ?? 'text'}" id="${name}" name="${name}" value="${text(view.values, name)}"${raw(options.required ? ' required' : '')}${raw(
    options.autocomplete ? ` autocomplete="${options.autocomplete}"` : '',
  )}${view.error?.field === name ? invalid(view, name) : raw(options.hint ? ` aria-describedby="${name}-hint"` : '')}>`;
}

function select(view: RegistrationFormView, name: string, label: string, options: Option[]) {
  const selected = text(view.values, name);
  return html`<label for="${name}">${label}</label>
<select id="${name}" name="${name}"${invalid(view, name)}>
<option value="">— Choisir —</option>
${options.map((o) => raw(html`<option value="${o.value}"${raw(o.value === selected ? ' selected' : '')}>${o.label}</option>`))}
</select>`;
}

function question(view: RegistrationFormView, q: EventRecord['questions'][number]) {
  const name = `q_${q.key}`;
  const value = text(view.values, name);
  const label = `${q.label}${q.required ? ' (obligatoire)' : ''}`;
  if (q.kind === 'text') {
    return html`<label for="${name}">${label}</label><textarea id="${name}" name="${name}" rows="3" maxlength="2000"${raw(q.required ? ' required' : '')}${invalid(view, name)}>${value}</textarea>`;
  }
  const options = q.kind === 'yesno' ? [{ value: 'oui', label: 'Oui' }, { value: 'non', label: 'Non' }] : q.choices.map((c) => ({ value: c, label: c }));
  return html`<fieldset${invalid(view, name)}><legend>${label}</legend>
${options.map((o, i) =>
  raw(html`<label><input type="radio" name="${name}" id="${name}-${i}" value="${o.value}"${raw(o.value === value ? ' checked' : '')}${raw(q.required && i === 0 ? ' required' : '')}> ${o.label}</label>`),
)}
</fieldset>`;
}

function eventFacts(event: EventRecord) {
  return html`<p><strong>${eventWhen(event)}</strong> (heure de Paris)${event.place ? raw(html`<br>${event.place}`) : ''}${event.visioUrl && !event.place ? raw('<br>En visioconférence : le lien est envoyé aux personnes inscrites.') : ''}</p>
${event.description ? raw(event.description.split(/\n{2,}/).map((p) => html`<p>${p}</p>`).join('\n')) : ''}
${event.programmeUrl ? raw(html`<p><a href="${event.programmeUrl}">Consulter le programme</a></p>`) : ''}`;
}

/** The event and its registration form (or why registration is closed). Works without JavaScript. */
export function registrationPage(config: Config, view: RegistrationFormView): string {
  const { event } = view;
  const action = `/rencontres/${event.slug}`;
  const form = view.closedReason
    ? html`<p role="status"><strong>${view.closedReason}</strong></p>`
    : html`${view.full ? raw('<p role="status"><strong>Cette rencontre est complète : en vous inscrivant, vous rejoignez la liste d\'attente, et une place libérée vous est attribuée automatiquement.</strong></p>') : ''}
${view.error ? raw(html`<p class="error" id="erreur" role="alert">${view.error.message}</p>`) : ''}
<form method="post" action="${action}">
<h2>S'inscrire</h2>
${event.access === 'invitation' ? raw(html`<input type="hidden" name="code" value="${text(view.values, 'code')}">`) : ''}
${raw(input(view, 'email', 'Adresse e-mail', { type: 'email', required: true, autocomplete: 'email' }))}
${raw(input(view, 'firstName', 'Prénom', { required: true, autocomplete: 'given-name' }))}
${raw(input(view, 'lastName', 'Nom', { required: true, autocomplete: 'family-name' }))}
${raw(input(view, 'organisationName', 'Structure', { autocomplete: 'organization' }))}
${raw(select(view, 'organisationType', 'Type de structure', view.organisationTypes))}
${raw(select(view, 'function', 'Fonction', view.functions))}
${raw(input(view, 'territory', 'Territoire d\'intervention', { hint: 'Commune ou code postal, par exemple « Saint-Denis (93) » ou « 93200 ».' }))}
<fieldset><legend>Dispositifs que vous animez ou suivez</legend>
${view.dispositifs.map((d, i) => raw(html`<label><input type="checkbox" name="dispositifs" id="dispositif-${i}" value="${d.value}"${raw(chosen(view.values, 'dispositifs').includes(d.value) ? ' checked' : '')}> ${d.label}</label>`))}
</fieldset>
${event.questions.map((q) => raw(question(view, q)))}
<label for="accessibilityNeeds">Besoins d'accessibilité ou d'adaptation</label>
<textarea id="accessibilityNeeds" name="accessibilityNeeds" rows="2" maxlength="2000">${text(view.values, 'accessibilityNeeds')}</textarea>
<label><input type="checkbox" name="newsletter" value="oui"${raw(text(view.values, 'newsletter') === 'oui' ? ' checked' : '')}> Je souhaite aussi recevoir la lettre mensuelle (un e-mail me demandera de confirmer).</label>
<div class="trap" aria-hidden="true"><label for="website">Ne pas remplir ce champ</label><input type="text" id="website" name="website" tabindex="-1" autocomplete="off"></div>
<p class="hint">Vos coordonnées servent à organiser la rencontre et à vous tenir informé·e de ses suites. Les réponses aux questionnaires d'évaluation sont anonymes.</p>
<button type="submit">${view.full ? "M'inscrire sur la liste d'attente" : "M'inscrire"}</button>
</form>`;
  return renderPage({ title: event.title, body: html`${raw(eventFacts(event))}\n${raw(form)}`, config });
}

/** The same page whatever happened (new, known, already registered, waiting list): the e-mail tells. */
export function registrationReceivedPage(config: Config, event: EventRecord): string {
  const body = html`<p role="status">Merci, votre demande d'inscription à « ${event.title} » est bien reçue.</p>
<p>Un e-mail vous est envoyé dans quelques minutes : il confirme votre place (avec le fichier à ajouter à votre agenda${event.visioUrl ? ' et le lien de connexion' : ''}) ou votre inscription sur la liste d'attente si la rencontre est complète. Pensez à vérifier vos courriers indésirables.</p>`;
  return renderPage({ title: 'Demande d\'inscription reçue', body, config });
}

export function cancelConfirmPage(config: Config, event: EventRecord, done: boolean): string {
  const body = done
    ? html`<p role="status">Votre inscription à « ${event.title} » est annulée.</p>`
    : html`<p>Vous êtes inscrit·e à « ${event.title} » (${eventWhen(event)}). Confirmez-vous l'annulation ? Votre place ira à la première personne de la liste d'attente.</p>
<form method="post"><button type="submit" class="secondary">Annuler mon inscription</button></form>`;
  return renderPage({ title: 'Annuler mon inscription', body, config });
}

export function cancelledPage(config: Config, event: EventRecord): string {
  return renderPage({ title: 'Inscription annulée', body: html`<p role="status">Votre inscription à « ${event.title} » est annulée. Merci de nous avoir prévenus.</p>`, config });
}

export type EvaluationView = { event: EventRecord; error?: { field?: string; message: string }; values?: Record<string, unknown> };

function evaluationQuestion(view: EvaluationView, q: EventRecord['evaluationQuestions'][number]) {
  const name = `r_${q.key}`;
  const options = q.kind === 'yesno' ? [{ value: 'oui', label: 'Oui' }, { value: 'non', label: 'Non' }] : [1, 2, 3, 4, 5].map((n) => ({ value: String(n), label: String(n) }));
  return html`<fieldset${invalid(view, name)}><legend>${q.label}${q.kind === 'yesno' ? '' : ' (de 1 à 5)'}</legend>
${options.map((o) => raw(html`<label><input type="radio" name="${name}" value="${o.value}"${raw(text(view.values, name) === o.value ? ' checked' : '')}> ${o.label}</label>`))}
</fieldset>`;
}

export function evaluationPage(config: Config, view: EvaluationView): string {
  const { event } = view;
  const body = html`<p>Merci d'avoir participé à « ${event.title} ». Notez chaque point de 1 (pas du tout satisfait·e) à 5 (très satisfait·e) ou répondez par oui ou non. Vos réponses sont anonymes et ce lien ne sert qu'une fois.</p>
${view.error ? raw(html`<p class="error" id="erreur" role="alert">${view.error.message}</p>`) : ''}
<form method="post">
${event.evaluationQuestions.map((q) => raw(evaluationQuestion(view, q)))}
<label for="comment">Vos commentaires</label>
<textarea id="comment" name="comment" rows="5" maxlength="5000">${text(view.values, 'comment')}</textarea>
<button type="submit">Envoyer mes réponses</button>
</form>`;
  return renderPage({ title: 'Votre avis sur la rencontre', body, config });
}

export function messagePage(config: Config, title: string, message: string): string {
  return renderPage({ title, body: html`<p role="status">${message}</p>`, config });
}
