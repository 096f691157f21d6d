import { randomBytes } from 'node:crypto';
import type { Config } from '../lib/config.js';
import type { MailContent } from '../delivery/personalize.js';
import { Click, TrackedLink } from './click.model.js';

export type LinkSource = { kind: 'campaign' | 'newsletter'; id: string };
export type LinkFacts = { newsItem?: unknown; category?: unknown };

const HREF = /<a\b([^>]*?)\bhref="(https?:\/\/[^"]+)"([^>]*)>([\s\S]*?)<\/a>/gi;
const decodeAttribute = (value: string) => value.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');
const plainText = (html: string) => decodeAttribute(html.replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ').trim();

/**
 * Rewrites every web link of a compiled message to `/l/<code>` (one code per distinct URL of
 * this source, kept across calls), in the HTML and in the text part. `describe` may tie a
 * URL to what it stands for (a newsletter's news item).
 */
export async function trackContentLinks(config: Config, content: MailContent, source: LinkSource, describe: (url: string) => LinkFacts = () => ({})): Promise<MailContent> {
  const found = new Map<string, string>();
  for (const match of content.html.matchAll(HREF)) {
    const url = decodeAttribute(match[2]);
    if (!found.has(url)) found.set(url, plainText(match[4]).slice(0, 200));
  }
  if (!found.size) return content;
  const existing = new Map((await TrackedLink.find({ 'source.kind': source.kind, 'source.id': source.id }).lean()).map((l) => [l.url, l._id]));
  const fresh = [...found].filter(([url]) => !existing.has(url));
  if (fresh.length) {
    const links = fresh.map(([url, label], i) => ({ _id: randomBytes(9).toString('base64url'), source, url, label, position: existing.size + i, ...describe(url) }));
    await TrackedLink.insertMany(links);
    for (const link of links) existing.set(link.url, link._id);
  }
  const tracked = (url: string) => `${config.publicUrl}/l/${existing.get(url)}`;
  const html = content.html.replace(HREF, (all, before: string, href: string, after: string, inner: string) => `<a${before}href="${tracked(decodeAttribute(href))}"${after}>${inner}</a>`);
  let text = content.text;
  for (const url of found.keys()) text = text.split(`<${url}>`).join(`<${tracked(url)}>`);
  return { subject: content.subject, html, text };
}

/** Where a code leads, counting the click; undefined for a code that is not a tracked link. */
export async function followLink(code: string, count: boolean): Promise<string | undefined> {
  if (!/^[A-Za-z0-9_-]{6,40}$/.test(code)) return undefined;
  const link = await TrackedLink.findById(code, { url: 1, source: 1 }).lean();
  if (!link) return undefined;
  if (count) await Click.create({ link: link._id, kind: link.source.kind, sourceId: link.source.id, at: new Date() });
  return link.url;
}

export type LinkClicks = { code: string; url: string; label: string; clicks: number; newsItem?: string; category?: string };

/** Clicks per link of a source, most clicked first (ties: order in the message). */
export async function clicksOf(source: LinkSource): Promise<LinkClicks[]> {
  const [links, rows] = await Promise.all([
    TrackedLink.find({ 'source.kind': source.kind, 'source.id': source.id }).lean(),
    Click.aggregate<{ _id: string; n: number }>([{ $match: { kind: source.kind, sourceId: source.id } }, { $group: { _id: '$link', n: { $sum: 1 } } }]),
  ]);
  const clicks = new Map(rows.map((r) => [r._id, r.n]));
  return links
    .sort((a, b) => (clicks.get(b._id) ?? 0) - (clicks.get(a._id) ?? 0) || a.position - b.position)
    .map((l) => ({
      code: l._id,
      url: l.url,
      label: l.label ?? '',
      clicks: clicks.get(l._id) ?? 0,
      ...(l.newsItem ? { newsItem: String(l.newsItem) } : {}),
      ...(l.category ? { category: String(l.category) } : {}),
    }));
}
