import { XMLParser } from 'fast-xml-parser';
import { convert } from 'html-to-text';
import { badRequest } from '../lib/errors.js';
import { fetchPublic } from '../lib/safe-fetch.js';

/** One entry of an RSS 2.0 or Atom feed, cleaned: titles and summaries are plain text. */
export type FeedItem = {
  guid: string;
  link: string | undefined;
  title: string;
  summary: string;
  publishedAt: Date | undefined;
  categories: string[];
  imageUrl: string | undefined;
};

export const MAX_FEED_BYTES = 10 * 1024 * 1024;
const SUMMARY_MAX = 600;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  textNodeName: '#text',
  trimValues: true,
  htmlEntities: true,
  parseTagValue: false,
  processEntities: true,
  isArray: (name) => ['item', 'entry', 'category', 'link'].includes(name),
});

type Node = string | number | { '#text'?: string | number; [key: string]: unknown } | undefined;

const text = (node: unknown): string => {
  if (node === undefined || node === null) return '';
  if (typeof node === 'object') return text((node as { '#text'?: unknown })['#text']);
  return String(node);
};
const oneLine = (value: string) => value.replace(/\s+/g, ' ').trim();

/** Reads an RSS 2.0 or Atom document; anything else is a 400 naming `field`. */
export function parseFeed(xml: string, field: string): FeedItem[] {
  let doc: Record<string, any>;
  try {
    doc = parser.parse(xml) as Record<string, any>;
  } catch (error) {
    throw badRequest(`Le flux n'est pas un XML valide : ${(error as Error).message}`, field);
  }
  if (doc.rss?.channel) return ((doc.rss.channel.item ?? []) as Record<string, Node>[]).map(fromRss);
  if (doc['rdf:RDF']) return ((doc['rdf:RDF'].item ?? []) as Record<string, Node>[]).map(fromRss);
  if (doc.feed) return ((doc.feed.entry ?? []) as Record<string, any>[]).map(fromAtom);
  throw badRequest("Ce document n'est ni un flux RSS 2.0 ni un flux Atom.", field);
}

function fromRss(item: Record<string, any>): FeedItem {
  const link = oneLine(text(item.link?.[0] ?? item.link)) || undefined;
  const enclosure = item.enclosure as Record<string, string> | undefined;
  const media = (item['media:content'] ?? item['media:thumbnail']) as Record<string, string> | undefined;
  return {
    guid: oneLine(text(item.guid)) || link || '',
    link,
    title: oneLine(text(item.title)),
    summary: cleanHtml(text(item.description) || text(item['content:encoded'])),
    publishedAt: parseDate(text(item.pubDate) || text(item['dc:date'])),
    categories: ((item.category ?? []) as Node[]).map((c) => oneLine(text(c))).filter(Boolean),
    imageUrl: (enclosure?.['@type']?.startsWith('image/') ? enclosure['@url'] : undefined) ?? media?.['@url'],
  };
}

function fromAtom(entry: Record<string, any>): FeedItem {
  const links = (entry.link ?? []) as Record<string, string>[];
  const link = (links.find((l) => !l['@rel'] || l['@rel'] === 'alternate') ?? links[0])?.['@href'];
  const image = links.find((l) => l['@rel'] === 'enclosure' && l['@type']?.startsWith('image/'))?.['@href'];
  const summary = entry.summary ?? entry.content;
  const isHtml = typeof summary === 'object' && ['html', 'xhtml'].includes(summary['@type']);
  return {
    guid: oneLine(text(entry.id)) || link || '',
    link,
    title: oneLine(typeof entry.title === 'object' && entry.title['@type'] === 'html' ? cleanHtml(text(entry.title)) : text(entry.title)),
    summary: isHtml ? cleanHtml(text(summary)) : truncate(oneLine(text(summary))),
    publishedAt: parseDate(text(entry.published) || text(entry.updated)),
    categories: ((entry.category ?? []) as Record<string, string>[]).map((c) => oneLine(c['@label'] ?? c['@term'] ?? '')).filter(Boolean),
    imageUrl: image,
  };
}

function parseDate(value: string): Date | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** HTML from the website → safe plain text: no tags, no scripts, WordPress's "read more" trailer removed. */
export function cleanHtml(html: string): string {
  const plain = convert(html, {
    wordwrap: false,
    selectors: [
      { selector: 'a', options: { ignoreHref: true } },
      { selector: 'img', format: 'skip' },
      { selector: 'script', format: 'skip' },
      { selector: 'style', format: 'skip' },
      { selector: 'h1', options: { uppercase: false } },
      { selector: 'h2', options: { uppercase: false } },
      { selector: 'h3', options: { uppercase: false } },
    ],
  });
  const withoutTrailer = plain
    .replace(/L[’']article .{1,300}? est apparu en premier sur .{1,200}?\.?\s*$/s, '')
    .replace(/The post .{1,300}? appeared first on .{1,200}?\.?\s*$/s, '')
    .replace(/\[(…|\.\.\.|&hellip;)\]/g, '…');
  return truncate(oneLine(withoutTrailer));
}

function truncate(value: string): string {
  if (value.length <= SUMMARY_MAX) return value;
  const cut = value.slice(0, SUMMARY_MAX);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), SUMMARY_MAX - 40)).replace(/[\s,;:.…]+$/, '')}…`;
}

/**
 * Downloads a feed (http/https only, 10 MB at most, never an internal address unless the host is
 * in `allowHosts`: server/lib/safe-fetch.ts); failures are 400s naming `url`.
 */
export async function fetchFeed(url: string, allowHosts: readonly string[]): Promise<string> {
  const { body } = await fetchPublic(url, {
    allowHosts,
    maxBytes: MAX_FEED_BYTES,
    field: 'url',
    headers: { accept: 'application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.1', 'user-agent': 'Maillage news import' },
  });
  return body.toString('utf8');
}

/** A feed's link or image kept only when it is an http(s) address: `javascript:`, `data:`… would reach the newsletter. */
export function webAddress(value: string | undefined): { url: string | undefined; dropped: boolean } {
  if (!value) return { url: undefined, dropped: false };
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') return { url: url.toString(), dropped: false };
  } catch {
    // not an absolute address
  }
  return { url: undefined, dropped: true };
}
