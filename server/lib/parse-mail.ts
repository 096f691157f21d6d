import type { ParsedMail, SimpleParserOptions } from 'mailparser';

/** A raw e-mail parsed by mailparser, which is loaded at the first parse (0.15 s: not at every start). */
export async function parseMail(raw: string | Buffer, options?: SimpleParserOptions): Promise<ParsedMail> {
  const { simpleParser } = await import('mailparser');
  return simpleParser(raw, options);
}
