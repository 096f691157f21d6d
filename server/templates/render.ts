import Handlebars from 'handlebars';
import { convert } from 'html-to-text';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../lib/config.js';

/** MJML takes half a second to load: a process loads it when it first renders, not at start-up. */
async function mjml2html(...args: Parameters<typeof import('mjml').default>) {
  return (await import('mjml')).default(...args);
}

/**
 * The one e-mail template engine: `templates/emails/<name>.mjml` is rendered with Handlebars
 * (which escapes every `{{value}}`), put into `templates/layout.mjml` with the partials of
 * `templates/partials/`, then compiled by MJML with strict validation. Handlebars runs first
 * because MJML silently drops Handlebars blocks placed between its components.
 *
 * A template file may start with a front matter:
 *   ---
 *   subject: Lettre d'information — {{monthLabel}}
 *   context: column        (partials only: the partial sits inside an mj-column; `text`: inside an mj-text)
 *   ---
 */
export type RenderedEmail = { subject: string; html: string; text: string };

export class TemplateError extends Error {
  constructor(
    message: string,
    readonly file?: string,
    readonly line?: number,
  ) {
    super(message);
  }
}

export const TEMPLATES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../templates');

type TemplateFile = {
  file: string; // relative to the templates folder, for messages
  source: string; // front matter blanked out, so line numbers stay those of the file
  meta: Record<string, string>;
  render: Handlebars.TemplateDelegate;
  subject: Handlebars.TemplateDelegate; // plain text: not HTML-escaped
};

type MjmlFailure = { line: number; message: string; tagName: string };

const PARIS_DATE = new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', day: 'numeric', month: 'long', year: 'numeric' });

export type TemplateEngine = ReturnType<typeof createTemplateEngine>;

export function createTemplateEngine(dir = TEMPLATES_DIR) {
  const hbs = Handlebars.create();
  hbs.registerHelper('date', (value: unknown) => (value ? PARIS_DATE.format(new Date(value as string)) : ''));
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  // {{plural count "actualité" "actualités"}} → "1 actualité", "3 actualités" (French: 0 and 1 are singular)
  hbs.registerHelper('plural', (count: number, one: string, many: string) => `${count} ${Math.abs(count) < 2 ? one : many}`);
  const cache = new Map<string, TemplateFile>();
  let partialsLoaded = false;

  function load(relative: string): TemplateFile {
    const cached = cache.get(relative);
    if (cached) return cached;
    let raw: string;
    try {
      raw = readFileSync(path.join(dir, relative), 'utf8');
    } catch {
      throw new TemplateError(`Modèle introuvable : ${relative}.`, relative);
    }
    const { meta, source } = splitFrontMatter(raw);
    let render: Handlebars.TemplateDelegate;
    try {
      hbs.parse(source); // surfaces Handlebars syntax errors now, with their line
      render = hbs.compile(source);
    } catch (error) {
      const line = Number(/line (\d+)/.exec((error as Error).message)?.[1]) || undefined;
      throw new TemplateError(`Modèle « ${relative} »${line ? `, ligne ${line}` : ''} : ${(error as Error).message.split('\n')[0]}`, relative, line);
    }
    const template = { file: relative, source, meta, render, subject: hbs.compile(meta.subject ?? '', { noEscape: true }) };
    cache.set(relative, template);
    return template;
  }

  function loadPartials(): void {
    if (partialsLoaded) return;
    for (const file of listMjml(path.join(dir, 'partials'))) {
      hbs.registerPartial(path.basename(file, '.mjml'), load(`partials/${file}`).render);
    }
    partialsLoaded = true;
  }

  /** Renders Handlebars into one MJML document; no MJML compilation yet. */
  function renderMjml(name: string, data: Record<string, unknown>, config?: Config): { subject: string; mjml: string } {
    loadPartials();
    const email = load(`emails/${name}.mjml`);
    const context = { ...layoutData(config), ...toPlain(data) };
    const subject = email.subject(context).replace(/\s+/g, ' ').trim();
    const body = email.render(context);
    const mjml = load('layout.mjml').render({ ...context, subject, body });
    return { subject, mjml };
  }

  /** `renderEmail(name, data)` → `{ subject, html, text }`. `data` must be plain (lean) objects. */
  async function renderEmail(name: string, data: Record<string, unknown> = {}, config?: Config): Promise<RenderedEmail> {
    const { subject, mjml } = renderMjml(name, data, config);
    const html = await compileMjml(mjml, `emails/${name}.mjml`);
    return { subject, html, text: htmlToText(html) };
  }

  /** Strict MJML compilation; a failure names the template file and line when it can be found. */
  async function compileMjml(mjml: string, label: string): Promise<string> {
    try {
      const { html } = await mjml2html(mjml, { validationLevel: 'strict', keepComments: false, fonts: {} });
      return html;
    } catch (error) {
      const failures = (error as { errors?: MjmlFailure[] }).errors;
      if (!failures?.length) throw error;
      const inSource = (await checkTemplates())[0];
      if (inSource) throw inSource;
      const first = failures[0];
      const excerpt = mjml.split('\n')[first.line - 1]?.trim().slice(0, 120);
      throw new TemplateError(`Modèle « ${label} » (document rendu), ligne ${first.line} : ${first.message} (${first.tagName}) — ${excerpt}`, label, first.line);
    }
  }

  /**
   * Validates every template file on its own (Handlebars tags are plain text to MJML), so
   * an error is reported with the line of the file that holds it.
   */
  async function checkTemplates(): Promise<TemplateError[]> {
    const files = ['layout.mjml', ...listMjml(path.join(dir, 'partials')).map((f) => `partials/${f}`), ...listMjml(path.join(dir, 'emails')).map((f) => `emails/${f}`)];
    const errors: TemplateError[] = [];
    for (const file of files) {
      let template: TemplateFile;
      try {
        template = load(file);
      } catch (error) {
        errors.push(error as TemplateError);
        continue;
      }
      const failure = await validateAlone(template);
      if (failure) errors.push(new TemplateError(`Modèle « ${file} », ligne ${failure.line} : ${failure.message} (${failure.tagName})`, file, failure.line));
    }
    return errors;
  }

  const shapes = new Map<string, Promise<RenderedEmail>>();

  /**
   * `renderEmail` for an e-mail sent on every form post: compiled once per shape (the data with
   * the `slots` set aside), then each slot's value (a plain string: a name, a link) put into the
   * compiled subject, HTML and text. MJML costs tens of milliseconds; a slot, microseconds. A
   * slot's stand-in is as long as a short word or as a long link, so the text wraps alike.
   */
  async function renderEmailWithSlots(name: string, data: Record<string, unknown>, slots: readonly string[], config?: Config): Promise<RenderedEmail> {
    const shaped = { ...data };
    const fills: Array<[string, string]> = [];
    slots.forEach((slot, i) => {
      const value = data[slot];
      if (typeof value !== 'string' || !value) return; // empty: part of the shape ({{#if}})
      const standIn = `zslot${i}${'x'.repeat(value.length > 60 ? 100 : 12)}z`;
      shaped[slot] = standIn;
      fills.push([standIn, value]);
    });
    const key = JSON.stringify([name, layoutData(config), shaped]);
    let compiled = shapes.get(key);
    if (!compiled) {
      compiled = renderEmail(name, shaped, config);
      compiled.catch(() => shapes.delete(key));
      if (shapes.size >= 200) shapes.delete(shapes.keys().next().value!); // the oldest shape
      shapes.set(key, compiled);
    }
    const email = await compiled;
    const fill = (text: string, encode: (value: string) => string) => fills.reduce((out, [standIn, value]) => out.replaceAll(standIn, encode(value)), text);
    return { subject: fill(email.subject, String), html: fill(email.html, (value) => hbs.escapeExpression(value)), text: fill(email.text, String) };
  }

  return { renderEmail, renderEmailWithSlots, renderMjml, compileMjml, checkTemplates, htmlToText };
}

/** Wraps a fragment on its first line, so MJML's line numbers are the file's. */
async function validateAlone(template: TemplateFile): Promise<MjmlFailure | undefined> {
  const [open, close] =
    template.file === 'layout.mjml'
      ? ['', '']
      : template.meta.context === 'column'
        ? ['<mjml><mj-body><mj-section><mj-column>', '</mj-column></mj-section></mj-body></mjml>']
        : template.meta.context === 'text'
          ? ['<mjml><mj-body><mj-section><mj-column><mj-text>', '</mj-text></mj-column></mj-section></mj-body></mjml>']
          : ['<mjml><mj-body>', '</mj-body></mjml>'];
  try {
    await mjml2html(open + template.source + close, { validationLevel: 'strict', fonts: {} });
    return undefined;
  } catch (error) {
    const failures = (error as { errors?: MjmlFailure[] }).errors;
    if (!failures?.length) return { line: 1, message: (error as Error).message, tagName: '?' };
    return failures[0];
  }
}

function splitFrontMatter(raw: string): { meta: Record<string, string>; source: string } {
  const lines = raw.split('\n');
  if (lines[0]?.trim() !== '---') return { meta: {}, source: raw };
  const end = lines.indexOf('---', 1);
  if (end < 0) return { meta: {}, source: raw };
  const meta: Record<string, string> = {};
  for (const line of lines.slice(1, end)) {
    const match = /^(\w+):\s*(.*)$/.exec(line);
    if (match) meta[match[1]] = match[2].trim();
  }
  return { meta, source: [...Array(end + 1).fill(''), ...lines.slice(end + 1)].join('\n') };
}

function listMjml(folder: string): string[] {
  try {
    return readdirSync(folder).filter((f) => f.endsWith('.mjml')).sort();
  } catch {
    return [];
  }
}

/** Handlebars refuses to read Mongoose documents; dates become ISO strings, ids strings. */
function toPlain(data: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(data)) as Record<string, unknown>;
}

/** What the layout needs: the organisation's name, address and logo, and the public URL. */
export function layoutData(config?: Config): Record<string, unknown> {
  return {
    organisation: config?.organisation ?? { name: 'Fabrique Territoires Santé', address: '' },
    publicUrl: config?.publicUrl ?? '',
  };
}

/** The plain-text part: links kept as "<url>", images and `.text-skip` blocks left out. */
export function htmlToText(html: string): string {
  return convert(html, {
    wordwrap: 78,
    selectors: [
      { selector: 'img', format: 'skip' },
      { selector: '.text-skip', format: 'skip' },
      { selector: 'a', options: { hideLinkHrefIfSameAsText: true, linkBrackets: ['<', '>'] } },
      { selector: 'h1', options: { uppercase: false } },
      { selector: 'h2', options: { uppercase: false } },
      { selector: 'h3', options: { uppercase: false } },
    ],
  }).replace(/\n{3,}/g, '\n\n').trim();
}

const defaultEngine = createTemplateEngine();

export const renderEmail = defaultEngine.renderEmail;
export const renderEmailWithSlots = defaultEngine.renderEmailWithSlots;
export const renderMjml = defaultEngine.renderMjml;
export const compileMjml = defaultEngine.compileMjml;
export const checkTemplates = defaultEngine.checkTemplates;
