import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream';
import iconv from 'iconv-lite';
import { badRequest } from '../lib/errors.js';

/**
 * CSV reading for imports. We parse ourselves rather than with csv-parse because staff need
 * the exact line of the file for every record (csv-parse's `info.lines` miscounts quoted line
 * breaks, and it guesses one record delimiter for the whole file, which mixed CRLF/LF files
 * break). RFC 4180 plus what spreadsheets really write: CRLF, LF or CR, quoted separators and
 * line breaks, stray quotes inside unquoted fields.
 */
/** `line`: the text line a record starts on; `row`: its row in a spreadsheet (blank lines count, header = 1). */
export type CsvRecord = { line: number; row: number; cells: string[]; unclosedQuote?: boolean };
export type Encoding = 'utf-8' | 'windows-1252';
export type Delimiter = ';' | ',' | '\t' | '|';

export const DELIMITERS: readonly Delimiter[] = [';', ',', '\t', '|'];
export const ENCODINGS: readonly Encoding[] = ['utf-8', 'windows-1252'];

/**
 * A cell longer than this stops the reading, naming its line: no address book has one, and an
 * unclosed quote would otherwise pull the rest of the file into a single cell held in memory.
 */
export const MAX_CELL_CHARS = 100_000;

const QUOTE = 34;
const CR = 13;
const LF = 10;

export class CsvParser {
  private cells: string[] = [];
  private field = '';
  private quoted = false;
  private inQuotes = false;
  private afterCR = false;
  private line = 1;
  private recordLine = 1;
  private row = 0;
  private started = false;
  private pendingQuote = false;
  private readonly delimiter: number;

  constructor(delimiter: string) {
    this.delimiter = delimiter.charCodeAt(0);
  }

  /** Feeds decoded text; returns the records completed by it. */
  feed(chunk: string): CsvRecord[] {
    const out: CsvRecord[] = [];
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (this.afterCR) {
        this.afterCR = false;
        if (c === LF) {
          if (!this.inQuotes) start = i + 1;
          continue;
        }
      }
      if (this.inQuotes) {
        if (c === QUOTE) {
          if (i + 1 < chunk.length) {
            this.field += chunk.slice(start, i);
            if (chunk.charCodeAt(i + 1) === QUOTE) {
              this.field += '"';
              i++;
            } else {
              this.inQuotes = false;
            }
            start = i + 1;
          } else {
            // A quote at the very end of a chunk: decide with the next chunk.
            this.field += chunk.slice(start, i);
            this.pendingQuote = true;
            start = i + 1;
          }
        } else if (c === LF || c === CR) {
          if (c === CR && i + 1 === chunk.length) this.afterCR = true;
          else if (c === CR && chunk.charCodeAt(i + 1) === LF) i++;
          this.line++;
        }
        continue;
      }
      if (c === this.delimiter) {
        this.field += chunk.slice(start, i);
        this.pushField();
        start = i + 1;
      } else if (c === LF || c === CR) {
        this.field += chunk.slice(start, i);
        this.endRecord(out);
        this.line++;
        this.recordLine = this.line;
        if (c === CR) {
          if (i + 1 < chunk.length) {
            if (chunk.charCodeAt(i + 1) === LF) i++;
          } else {
            this.afterCR = true;
          }
        }
        start = i + 1;
      } else if (c === QUOTE && this.field === '' && i === start && !this.quoted) {
        this.inQuotes = true;
        this.quoted = true;
        this.started = true;
        start = i + 1;
      } else {
        this.started = true;
      }
    }
    this.field += chunk.slice(start);
    this.checkCellSize();
    return out;
  }

  private checkCellSize(): void {
    if (this.field.length <= MAX_CELL_CHARS) return;
    const quote = this.inQuotes ? ' (un guillemet ouvert n’est peut-être jamais refermé)' : '';
    throw badRequest(
      `Ligne ${this.recordLine} : une cellule dépasse ${MAX_CELL_CHARS.toLocaleString('fr-FR')} caractères${quote}. Corrigez le fichier puis importez-le à nouveau.`,
      'file',
    );
  }

  /** Feeds with the lookahead a quote at a chunk's end needs. */
  write(chunk: string): CsvRecord[] {
    if (this.pendingQuote) {
      this.pendingQuote = false;
      if (chunk.charCodeAt(0) === QUOTE) {
        this.field += '"';
        return this.feed(chunk.slice(1));
      }
      this.inQuotes = false;
    }
    return this.feed(chunk);
  }

  /** The last record; `unclosed` when the file ends inside quotes. */
  end(): { records: CsvRecord[]; unclosedQuoteLine?: number } {
    if (this.pendingQuote) {
      this.pendingQuote = false;
      this.inQuotes = false;
    }
    const unclosedQuoteLine = this.inQuotes ? this.recordLine : undefined;
    const out: CsvRecord[] = [];
    this.endRecord(out);
    return { records: out, unclosedQuoteLine };
  }

  private pushField(): void {
    this.checkCellSize();
    this.cells.push(this.field);
    this.field = '';
    this.quoted = false;
    this.started = true;
  }

  private endRecord(out: CsvRecord[]): void {
    this.row++;
    if (this.started || this.field !== '' || this.cells.length) {
      this.pushField();
      out.push({ line: this.recordLine, row: this.row, cells: this.cells });
    }
    this.cells = [];
    this.field = '';
    this.quoted = false;
    this.started = false;
  }
}

/** Parses a whole string (samples, tests). */
export function parseCsvText(text: string, delimiter: string): CsvRecord[] {
  const parser = new CsvParser(delimiter);
  const records = parser.write(text);
  return [...records, ...parser.end().records];
}

/**
 * Streams the records of a file, decoded, with their starting line. The file is read in
 * 64 KiB chunks; only the records of one chunk are in memory at a time.
 */
export async function* readCsv(file: string, options: { encoding: Encoding; delimiter: Delimiter }): AsyncGenerator<CsvRecord> {
  const parser = new CsvParser(options.delimiter);
  // pipeline, not pipe: a read error (the file removed meanwhile) must reach the loop below, not crash the process
  const decoded = pipeline(createReadStream(file, { highWaterMark: 64 * 1024 }), iconv.decodeStream(iconvName(options.encoding)), () => undefined);
  for await (const chunk of decoded as AsyncIterable<string>) {
    yield* parser.write(chunk);
  }
  const last = parser.end();
  for (const record of last.records) yield last.unclosedQuoteLine === record.line ? { ...record, unclosedQuote: true } : record;
}

/** The first record with a non-blank cell: the header line. */
export async function readHeader(file: string, options: { encoding: Encoding; delimiter: Delimiter }): Promise<CsvRecord | undefined> {
  for await (const record of readCsv(file, options)) {
    if (record.cells.some((cell) => cell.trim() !== '')) return record;
  }
  return undefined;
}

/** The first 64 KiB of a file, for delimiter detection. */
export async function readSample(file: string): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

function iconvName(encoding: Encoding): string {
  // iconv-lite strips a UTF-8 byte order mark by itself.
  return encoding === 'utf-8' ? 'utf8' : 'win1252';
}

/**
 * Tells UTF-8 from Windows-1252 over the whole stream: a file is UTF-8 when every byte
 * sequence is valid UTF-8 (Excel's "CSV UTF-8" adds a BOM; LibreOffice and Google Sheets do
 * not). Fed chunk by chunk while the upload is written to disk.
 */
export class EncodingSniffer {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private valid = true;
  bom: boolean | undefined;
  /** A NUL byte: no text file has one (a spreadsheet, an archive, a UTF-16 file do). */
  binary = false;

  push(chunk: Buffer): void {
    if (this.bom === undefined) this.bom = chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf;
    if (!this.binary && chunk.includes(0)) this.binary = true;
    if (!this.valid) return;
    try {
      this.decoder.decode(chunk, { stream: true });
    } catch {
      this.valid = false;
    }
  }

  result(): Encoding {
    if (this.valid) {
      try {
        this.decoder.decode();
      } catch {
        this.valid = false;
      }
    }
    return this.valid ? 'utf-8' : 'windows-1252';
  }
}

/** The decoded start of a file, whole lines only. */
export function decodeSample(sample: Buffer, encoding: Encoding): string {
  const text = iconv.decode(sample, iconvName(encoding));
  const lastBreak = Math.max(text.lastIndexOf('\n'), text.lastIndexOf('\r'));
  return lastBreak > 0 && sample.length >= 64 * 1024 ? text.slice(0, lastBreak) : text;
}

/**
 * The separator that splits the first records into the same number of fields, the most
 * fields winning; a quote-aware count, so "Dupont; Marie" inside quotes does not vote.
 */
export function detectDelimiter(sample: string): Delimiter {
  let best: { delimiter: Delimiter; score: number } = { delimiter: ';', score: -1 };
  for (const delimiter of DELIMITERS) {
    const records = parseCsvText(sample, delimiter)
      .filter((r) => r.cells.some((cell) => cell.trim() !== ''))
      .slice(0, 50);
    if (!records.length) continue;
    const width = records[0].cells.length;
    if (width < 2) continue;
    const consistent = records.filter((r) => r.cells.length === width).length / records.length;
    const score = consistent * 100 + Math.min(width, 99) / 100;
    if (score > best.score) best = { delimiter, score };
  }
  return best.delimiter;
}

/** A CSV line for spreadsheets; cells that a spreadsheet would run as a formula are neutralised. */
export { csvLine } from '../lib/csv-export.js';
