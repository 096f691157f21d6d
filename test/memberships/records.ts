import type { Types } from 'mongoose';
import { Contact } from '../../server/contacts/contact.model.js';
import { Organisation } from '../../server/organisations/organisation.model.js';

/** Named records for the membership, solicitation and report tests (inserted as stored, no HTTP). */
let serial = 0;

export async function insertContact(fields: { firstName?: string; lastName?: string; email?: string; organisations?: Types.ObjectId[] } = {}) {
  serial++;
  return Contact.create({
    firstName: fields.firstName ?? `Prénom${serial}`,
    lastName: fields.lastName ?? `Nom${serial}`,
    email: fields.email ?? `contact-${serial}-${Date.now()}@exemple.fr`,
    organisations: fields.organisations ?? [],
  });
}

export async function insertOrganisation(fields: { name?: string; type?: string } = {}) {
  serial++;
  return Organisation.create({ name: fields.name ?? `Organisation ${serial}`, type: fields.type ?? 'association-locale' });
}
