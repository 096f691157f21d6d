import MarkdownIt from 'markdown-it';
import type { MailContent } from '../delivery/personalize.js';
import { personalize, placeholder } from '../delivery/personalize.js';
import type { Config } from '../lib/config.js';
import { badRequest } from '../lib/errors.js';
import { renderEmail } from '../templates/render.js';

/**
 * A campaign's Markdown → the e-mail, through the newsletter's MJML layout. Staff write
 * Markdown (headings, **bold**, links, lists, `![texte](https://…)` images) plus:
 * - a button: a line holding only `[[Texte du bouton]](https://…)`;
 * - personal fields `{{prenom}}`, `{{nom}}`, `{{organisation}}`, with a fallback after a bar
 *   for whoever has none: `{{prenom|chère collègue}}`.
 * Raw HTML is shown as text, never interpreted.
 */
const markdown = new MarkdownIt({ html: false, linkify: true, breaks: true });

const FIELDS = { prenom: 'FIRST_NAME', nom: 'LAST_NAME', organisation: 'ORGANISATION' } as const;
const FIELD = /\{\{\s*([^}|]*?)\s*(?:\|([^}]*))?\}\}/g;

/** The personal fields of a text become placeholders; an unknown one is a 400 naming `field`. */
function personalFields(text: string, field: string): string {
  // staff's own "%%" must never become a per-recipient placeholder
  return text.replace(/%%/g, '%\u200b%').replace(FIELD, (_all, name: string, fallback: string | undefined) => {
    const known = FIELDS[name.toLowerCase() as keyof typeof FIELDS];
    if (!known) throw badRequest(`Champ personnel inconnu « {{${name}}} » : utilisez {{prenom}}, {{nom}} ou {{organisation}}.`, field);
    return placeholder(known, fallback?.trim());
  });
}

const BUTTON = /<p><a href="([^"]+)">\[([\s\S]*?)\]<\/a><\/p>/g;
const buttonHtml = (href: string, label: string) =>
  `<p style="margin:16px 0;"><a href="${href}" style="display:inline-block;background:#0b5394;color:#ffffff;padding:12px 22px;border-radius:4px;text-decoration:none;font-weight:bold;">${label}</a></p>`;
const HEADING_STYLE: Record<string, string> = {
  h1: 'font-size:22px;line-height:1.3;color:#1f2933;margin:8px 0 12px 0;',
  h2: 'font-size:19px;line-height:1.3;color:#0b5394;margin:16px 0 8px 0;',
  h3: 'font-size:16px;line-height:1.4;color:#1f2933;margin:12px 0 6px 0;',
};

/** The body's HTML fragment (placeholders left in). */
export function bodyHtml(body: string): string {
  return markdown
    .render(personalFields(body, 'body'))
    .replace(/(href|src)="([^"]*)"/g, (_all, attribute: string, url: string) => `${attribute}="${url.replace(/%%/g, '%25%25')}"`)
    .replace(BUTTON, (_all, href: string, label: string) => buttonHtml(href, label))
    .replace(/<(h[1-3])>/g, (_all, tag: string) => `<${tag} style="${HEADING_STYLE[tag]}">`)
    .replace(/<img /g, '<img style="max-width:100%;height:auto;" ');
}

export type CampaignText = { subject: string; preheader?: string | null; body?: string | null };
export type Variant = { kind: 'email'; reason: string; browserLink: boolean } | { kind: 'web' };

/** The compiled message: the e-mail keeps its placeholders; the web version has none. */
export async function renderCampaign(config: Config, campaign: CampaignText, variant: Variant): Promise<MailContent> {
  const data = {
    subject: personalFields(campaign.subject, 'subject'),
    preheader: campaign.preheader ? personalFields(campaign.preheader, 'preheader') : '',
    bodyHtml: bodyHtml(campaign.body ?? ''),
    footer:
      variant.kind === 'email'
        ? { reason: variant.reason, personalLinks: true, browserLink: variant.browserLink }
        : { reason: `Message de ${config.organisation.name}.`, archiveLink: true },
  };
  const content = await renderEmail('campaign', data, config);
  if (variant.kind === 'email') return content;
  // the web version: everyone's fallbacks, no personal value
  return personalize(content, { email: '', unsubscribeUrl: '', preferencesUrl: '' });
}

/** Why a recipient gets the message, by legal basis (the footer's first line). */
export function footerReason(config: Config, basis: string, listName: string): string {
  return basis === 'legitimate-interest'
    ? `Vous recevez ce message à l'adresse %%EMAIL%% au titre de votre activité professionnelle dans le réseau de ${config.organisation.name} (intérêt légitime). Vous pouvez vous opposer à ces envois à tout moment.`
    : `Vous recevez ce message à l'adresse %%EMAIL%% car vous êtes abonné·e à « ${listName} » de ${config.organisation.name}.`;
}
