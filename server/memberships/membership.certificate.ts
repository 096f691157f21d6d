import { createHash } from 'node:crypto';
import type { Config } from '../lib/config.js';
import { AppError, notFound } from '../lib/errors.js';
import { readContact } from '../contacts/contact.store.js';
import { Organisation } from '../organisations/organisation.model.js';
import { Vocabulary } from '../vocabularies/vocabulary.model.js';
import { boardOfYear, contactName, ensureCertificateNumber, formatCertificateNumber } from './membership.service.js';
import { Membership, PAYMENT_METHOD_LABELS, type PaymentMethod } from './membership.model.js';

/** Printable attestation d'adhésion and payment receipt of a paid membership (A4 HTML, printed to PDF by Chromium). */
export type CertificateKind = 'certificate' | 'receipt';
export type MembershipDocument = { html: string; filename: string };

/** Text and double-quoted attributes only (no single-quoted attributes here). */
const escapeHtml = (value: string) => value.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

export const formatEuros = (amount: number) =>
  new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' }).format(amount).replace(/\u202f|\u00a0/g, ' ');
const formatDay = (date: Date) => new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', dateStyle: 'long' }).format(date);

/** The print button's only script, allowed by its hash in the document's own Content-Security-Policy. */
const PRINT_SCRIPT = "document.getElementById('print').addEventListener('click', function () { window.print(); });";
export const DOCUMENT_CSP = [
  "default-src 'none'",
  "img-src 'self' data: https: http:",
  "style-src 'unsafe-inline'",
  `script-src 'sha256-${createHash('sha256').update(PRINT_SCRIPT).digest('base64')}'`,
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'self'",
].join('; ');

const TITLES: Record<CertificateKind, { title: string; file: string }> = {
  certificate: { title: "Attestation d'adhésion", file: 'attestation-adhesion' },
  receipt: { title: 'Reçu de cotisation', file: 'recu-cotisation' },
};

/** "4 rue de la Santé, 75013 Paris" → "Paris": where the document is signed. */
const cityOf = (address: string) => address.match(/\d{5}\s+([^,\n]+)\s*$/)?.[1]?.trim() ?? 'Paris';

export async function renderMembershipDocument(id: string, kind: CertificateKind, config: Config, now = new Date()): Promise<MembershipDocument> {
  const membership = await Membership.findById(id).lean();
  if (!membership) throw notFound('Adhésion');
  if (membership.paymentStatus !== 'paid') {
    throw new AppError(409, 'not_paid', "Cette adhésion n'est pas payée : l'attestation et le reçu sont délivrés après paiement.", 'paymentStatus');
  }
  const number = formatCertificateNumber(membership.year, (await ensureCertificateNumber(membership._id))!);
  const [organisation, contact, representative, category, board] = await Promise.all([
    membership.organisation ? Organisation.findById(membership.organisation).lean() : null,
    readContact(membership.contact),
    readContact(membership.representative),
    Vocabulary.findOne({ kind: 'membershipCategories', code: membership.category }).lean(),
    boardOfYear(membership.year),
  ]);
  const member = organisation?.name ?? (contact ? contactName(contact) : 'Membre');
  const org = config.organisation;
  const categoryLabel = category?.label ?? membership.category;
  const fee = formatEuros(membership.fee);
  const paidOn = membership.paidAt ? formatDay(membership.paidAt) : '';
  const method = membership.paymentMethod ? PAYMENT_METHOD_LABELS[membership.paymentMethod as PaymentMethod] : '';
  const presidents = board.filter((b) => b.roles.some((r) => r === 'presidence' || r === 'co-presidence')).map((b) => b.name).filter(Boolean);
  const title = `${TITLES[kind].title} n° ${number}`;
  const sentence =
    kind === 'certificate'
      ? `<p>${escapeHtml(org.name)} atteste que <strong>${escapeHtml(member)}</strong>${
          representative ? `, représenté·e par ${escapeHtml(contactName(representative))},` : ''
        } est membre adhérent·e de l'association pour l'année <strong>${membership.year}</strong>, au titre de la catégorie « ${escapeHtml(
          categoryLabel,
        )} », et s'est acquitté·e de sa cotisation.</p>`
      : `<p>${escapeHtml(org.name)} a reçu de <strong>${escapeHtml(member)}</strong> la somme de <strong>${escapeHtml(fee)}</strong> au titre de la cotisation ${
          membership.year
        } (catégorie « ${escapeHtml(categoryLabel)} »)${paidOn ? `, réglée le ${escapeHtml(paidOn)}` : ''}${
          method ? ` par ${escapeHtml(method.toLowerCase())}` : ''
        }${membership.paymentReference ? ` (référence ${escapeHtml(membership.paymentReference)})` : ''}.</p>`;
  const details: Array<[string, string | undefined]> = [
    ['Membre', member],
    ['Représenté·e par', representative ? contactName(representative) : undefined],
    ['Année d’adhésion', String(membership.year)],
    ['Catégorie', categoryLabel],
    ['Montant réglé', fee],
    ['Date du paiement', paidOn || undefined],
    ['Mode de paiement', method || undefined],
    ['Référence du paiement', membership.paymentReference || undefined],
    ['Numéro', number],
  ];
  const html = `<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)} — ${escapeHtml(member)}</title>
<style>
  @page { size: A4; margin: 18mm 20mm; }
  body { font-family: 'DejaVu Serif', Georgia, 'Times New Roman', serif; max-width: 170mm; margin: 2rem auto; padding: 0 1.5rem; color: #1a1a1a; line-height: 1.55; }
  .toolbar { display: flex; gap: .75rem; justify-content: flex-end; margin-bottom: 1.5rem; font-family: system-ui, sans-serif; }
  .toolbar button, .toolbar a { font: inherit; padding: .45rem 1rem; border: 1px solid #1b5e7a; border-radius: 4px; background: #1b5e7a; color: #fff; cursor: pointer; text-decoration: none; }
  .toolbar a { background: #fff; color: #1b5e7a; }
  header { display: flex; align-items: center; gap: 1rem; border-bottom: 2px solid #1b5e7a; padding-bottom: .75rem; margin-bottom: 2rem; }
  header img { max-height: 64px; max-width: 160px; }
  header p { margin: 0; }
  h1 { font-size: 1.5rem; color: #1b5e7a; margin-bottom: .25rem; }
  .number { font-family: 'DejaVu Sans Mono', monospace; }
  table { border-collapse: collapse; margin: 1.5rem 0; width: 100%; }
  th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid #d0d7de; vertical-align: top; }
  th { width: 40%; font-weight: normal; color: #444; }
  .signature { margin-top: 2.5rem; margin-left: auto; width: 75mm; }
  .signature .space { height: 30mm; border: 1px dashed #999; margin-top: .5rem; }
  @media print { body { margin: 0 auto; padding: 0; } .toolbar { display: none; } }
</style>
</head>
<body>
<div class="toolbar"><button type="button" id="print">Imprimer</button><a href="${kind}.pdf" download>Télécharger le PDF</a></div>
<header>${org.logoUrl ? `<img src="${escapeHtml(org.logoUrl)}" alt="Logo de ${escapeHtml(org.name)}">` : ''}<p><strong>${escapeHtml(org.name)}</strong><br>${escapeHtml(org.address)}</p></header>
<main>
<h1>${escapeHtml(title)}</h1>
${sentence}
<table>
${details
  .filter(([, value]) => value)
  .map(([label, value]) => `<tr><th scope="row">${escapeHtml(label)}</th><td${label === 'Numéro' ? ' class="number"' : ''}>${escapeHtml(value!)}</td></tr>`)
  .join('\n')}
</table>
${kind === 'receipt' ? '<p>Ce reçu ne vaut pas reçu fiscal.</p>' : ''}
<p>Fait à ${escapeHtml(cityOf(org.address))}, le ${escapeHtml(formatDay(now))}.</p>
<div class="signature"><p>Pour ${escapeHtml(org.name)},<br>${presidents.length ? `${escapeHtml(presidents.join(' et '))}, ` : ''}${presidents.length > 1 ? 'co-président·es' : 'la présidence'}</p><div class="space" aria-label="Signature"></div></div>
</main>
<script>${PRINT_SCRIPT}</script>
</body>
</html>
`;
  return { html, filename: `${TITLES[kind].file}-${number}` };
}
