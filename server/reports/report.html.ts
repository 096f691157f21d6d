import MarkdownIt from 'markdown-it';
import type { Config } from '../lib/config.js';
import { reportToMarkdown } from './report.format.js';
import type { ActivityReport } from './report.service.js';

// No raw HTML: labels typed by staff (lists, categories) stay text.
const markdown = new MarkdownIt({ html: false, typographer: false });

/** The report's sentences and tables as an HTML fragment (the admin shows it as is). */
export function reportToHtmlFragment(report: ActivityReport): string {
  return markdown.render(reportToMarkdown(report));
}

/** A whole A4 document of the report, for the PDF. */
export function reportToHtmlDocument(report: ActivityReport, config: Config): string {
  const escape = (text: string) => text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
  return `<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<title>Rapport d'activité ${report.year} — ${escape(config.organisation.name)}</title>
<style>
  @page { size: A4; margin: 18mm 18mm 20mm; }
  body { font-family: 'DejaVu Sans', Arial, sans-serif; font-size: 10.5pt; color: #1a1a1a; line-height: 1.5; }
  h1 { font-size: 18pt; color: #1d5a8c; margin-top: 0; }
  h2 { font-size: 14pt; color: #1d5a8c; border-bottom: 1px solid #1d5a8c; padding-bottom: 2pt; margin-top: 18pt; }
  h3 { font-size: 12pt; margin-top: 14pt; }
  h4 { font-size: 11pt; margin-top: 10pt; }
  table { border-collapse: collapse; width: 100%; margin: 6pt 0 10pt; page-break-inside: avoid; }
  th, td { border-bottom: 1px solid #ccd; padding: 3pt 6pt; }
  th { background: #eef3f8; text-align: left; }
  td[style*="right"], th[style*="right"] { font-variant-numeric: tabular-nums; }
  header { display: flex; justify-content: space-between; align-items: center; font-size: 9pt; color: #555; border-bottom: 1px solid #ccd; margin-bottom: 12pt; }
  header img { max-height: 40px; }
</style>
</head>
<body>
<header>${config.organisation.logoUrl ? `<img src="${escape(config.organisation.logoUrl)}" alt="">` : ''}<span>${escape(config.organisation.name)} — ${escape(config.organisation.address)}</span></header>
${reportToHtmlFragment(report)}
</body>
</html>
`;
}
