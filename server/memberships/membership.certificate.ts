import type { Config } from '../lib/config.js';
import { AppError, notFound } from '../lib/errors.js';
import { readContact } from '../contacts/contact.store.js';
import { Organisation } from '../organisations/organisation.model.js';
import { Vocabulary } from '../vocabularies/vocabulary.model.js';
import { contactName, ensureCertificateNumber, formatCertificateNumber } from './membership.service.js';
import { Membership, PAYMENT_METHOD_LABELS, type PaymentMethod } from './membership.model.js';

/** Printable HTML attestation d'adhésion and payment receipt of a paid membership. */
export type CertificateKind = 'certificate' | 'receipt';

/** Text and double-quoted attributes only (no single-quoted attributes here). */
const escapeHtml = (value: string) => value.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

export const formatEuros = (amount: number) =>
  new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' }).format(amount).replace(/\u202f|\u00a0/g, ' ');
const formatDay = (date: Date) => new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', dateStyle: 'long' }).format(date);

export async function renderMembershipDocument(id: string, kind: CertificateKind, config: Config, now = new Date()): Promise<string> {
  const membership = await Membership.findById(id).lean();
  if (!membership) throw notFound('Adhésion');
  if (membership.paymentStatus !== 'paid') {
    throw new AppError(409, 'not_paid', "Cette adhésion n'est pas payée : l'attestation et le reçu sont délivrés après paiement.", 'paymentStatus');
  }
  const number = formatCertificateNumber(membership.year, (await ensureCertificateNumber(membership._id))!);
  const [organisation, contact, representative, category] = await Promise.all([
    membership.organisation ? Organisation.findById(membership.organisation).lean() : null,
    readContact(membership.contact),
    readContact(membership.representative),
    Vocabulary.findOne({ kind: 'membershipCategories', code: membership.category }).lean(),
  ]);
  const member = organisation?.name ?? (contact ? contactName(contact) : 'Membre');
  const org = config.organisation;
  const fee = formatEuros(membership.fee);
  const paidOn = membership.paidAt ? formatDay(membership.paidAt) : '';
  const method = membership.paymentMethod ? PAYMENT_METHOD_LABELS[membership.paymentMethod as PaymentMethod].toLowerCase() : '';
  const title = kind === 'certificate' ? `Attestation d'adhésion n° ${number}` : `Reçu de cotisation n° ${number}`;
  const body =
    kind === 'certificate'
      ? `<p>${escapeHtml(org.name)} atteste que <strong>${escapeHtml(member)}</strong>${
          representative ? `, représenté·e par ${escapeHtml(contactName(representative))},` : ''
        } est membre adhérent·e de l'association pour l'année <strong>${membership.year}</strong>, au titre de la catégorie « ${escapeHtml(
          category?.label ?? membership.category,
        )} », et s'est acquitté·e de sa cotisation.</p>`
      : `<p>${escapeHtml(org.name)} a reçu de <strong>${escapeHtml(member)}</strong> la somme de <strong>${escapeHtml(fee)}</strong> au titre de la cotisation ${
          membership.year
        } (catégorie « ${escapeHtml(category?.label ?? membership.category)} »)${paidOn ? `, réglée le ${escapeHtml(paidOn)}` : ''}${
          method ? ` par ${escapeHtml(method)}` : ''
        }${membership.paymentReference ? ` (référence ${escapeHtml(membership.paymentReference)})` : ''}.</p>`;
  return `<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)} — ${escapeHtml(member)}</title>
<style>
  body { font-family: Georgia, 'Times New Roman', serif; max-width: 40rem; margin: 3rem auto; padding: 0 1.5rem; color: #1a1a1a; line-height: 1.6; }
  header { border-bottom: 2px solid #1b5e7a; margin-bottom: 2rem; }
  h1 { font-size: 1.5rem; color: #1b5e7a; }
  .number { font-family: monospace; }
  footer { margin-top: 3rem; font-size: 0.9rem; }
  @media print { body { margin: 0 auto; } button { display: none; } }
</style>
</head>
<body>
<header><p><strong>${escapeHtml(org.name)}</strong><br>${escapeHtml(org.address)}</p></header>
<main>
<h1>${escapeHtml(title)}</h1>
<p>Numéro : <span class="number">${number}</span></p>
${body}
${kind === 'receipt' ? '<p>Ce reçu ne vaut pas reçu fiscal.</p>' : ''}
<footer><p>Fait à Paris, le ${escapeHtml(formatDay(now))}.</p><p>Pour ${escapeHtml(org.name)}</p></footer>
</main>
</body>
</html>
`;
}
