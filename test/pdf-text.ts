import { inflateSync } from 'node:zlib';

/**
 * The text and page count of a PDF printed by Chromium (Skia): each object is read, Flate
 * streams inflated, each Type0 font's ToUnicode map applied to the glyph ids shown by `Tj`/`TJ`
 * after it is selected by `Tf`. Enough to read back what our own documents print; not a
 * general PDF reader (no object streams, no encryption).
 */
export function pdfText(pdf: Buffer): { pages: number; text: string } {
  const objects = readObjects(pdf);
  const unicodeOf = new Map<string, Map<number, string>>(); // font object number → glyph → text
  for (const [number, object] of objects) {
    const toUnicode = /\/Type\s*\/Font\b[\s\S]*\/ToUnicode\s+(\d+)\s+0\s+R/.exec(object.dict)?.[1];
    if (toUnicode && objects.has(toUnicode)) unicodeOf.set(number, readCMap(objects.get(toUnicode)!.stream ?? ''));
  }
  const pages = [...objects.values()].filter((o) => /\/Type\s*\/Page\b/.test(o.dict));
  const text: string[] = [];
  for (const page of pages) {
    const fonts = new Map([...(/\/Font\s*<<([\s\S]*?)>>/.exec(page.dict)?.[1] ?? '').matchAll(/\/(\w+)\s+(\d+)\s+0\s+R/g)].map((m) => [m[1], m[2]]));
    const contents = [...(/\/Contents\s*(\[[^\]]*\]|\d+\s+0\s+R)/.exec(page.dict)?.[1] ?? '').matchAll(/(\d+)\s+0\s+R/g)].map((m) => objects.get(m[1])?.stream ?? '');
    for (const content of contents) {
      let cmap = new Map<number, string>();
      for (const op of content.matchAll(/\/(\w+)\s+[\d.]+\s+Tf|(\[(?:[^\]]*)\]\s*TJ|<[0-9A-Fa-f]*>\s*Tj)|(ET)/g)) {
        if (op[1]) cmap = unicodeOf.get(fonts.get(op[1]) ?? '') ?? new Map();
        else if (op[2]) text.push([...op[2].matchAll(/<([0-9A-Fa-f]*)>/g)].map((h) => decodeHex(h[1], cmap)).join(''));
        else if (op[3]) text.push('\n');
      }
    }
  }
  return { pages: pages.length, text: text.join('') };
}

type PdfObject = { dict: string; stream?: string };

function readObjects(pdf: Buffer): Map<string, PdfObject> {
  const objects = new Map<string, PdfObject>();
  const latin = pdf.toString('latin1');
  for (const m of latin.matchAll(/(\d+) 0 obj\s*/g)) {
    const start = m.index! + m[0].length;
    const end = latin.indexOf('endobj', start);
    const body = latin.slice(start, end);
    const at = body.indexOf('stream');
    if (at < 0) {
      objects.set(m[1], { dict: body });
      continue;
    }
    const dict = body.slice(0, at);
    const dataStart = start + at + 'stream'.length + (latin[start + at + 6] === '\r' ? 2 : 1);
    const length = Number(/\/Length\s+(\d+)/.exec(dict)?.[1] ?? 0);
    const data = pdf.subarray(dataStart, dataStart + length);
    objects.set(m[1], { dict, stream: /\/FlateDecode/.test(dict) ? inflateSync(data).toString('latin1') : data.toString('latin1') });
  }
  return objects;
}

function readCMap(cmap: string): Map<number, string> {
  const map = new Map<number, string>();
  const unicode = (hex: string) => Buffer.from(hex, 'hex').swap16().toString('utf16le');
  for (const block of cmap.matchAll(/beginbfchar([\s\S]*?)endbfchar/g)) {
    for (const m of block[1].matchAll(/<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>/g)) map.set(parseInt(m[1], 16), unicode(m[2]));
  }
  for (const block of cmap.matchAll(/beginbfrange([\s\S]*?)endbfrange/g)) {
    for (const m of block[1].matchAll(/<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>/g)) {
      const [from, to, first] = [parseInt(m[1], 16), parseInt(m[2], 16), parseInt(m[3], 16)];
      for (let g = from; g <= to; g++) map.set(g, String.fromCodePoint(first + g - from));
    }
  }
  return map;
}

function decodeHex(hex: string, cmap: Map<number, string>): string {
  let out = '';
  for (let i = 0; i + 4 <= hex.length; i += 4) out += cmap.get(parseInt(hex.slice(i, i + 4), 16)) ?? '\uFFFD';
  return out;
}
