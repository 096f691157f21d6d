import type { Types } from 'mongoose';
import { insertContact as insertStoredContact } from '../../server/contacts/contact.store.js';
import { Organisation } from '../../server/organisations/organisation.model.js';

/** Named records for the membership, solicitation and report tests (inserted as stored, no HTTP). */
let serial = 0;

export async function insertContact(fields: { firstName?: string; lastName?: string; email?: string; organisations?: Types.ObjectId[] } = {}) {
  serial++;
  return insertStoredContact(
    {
      firstName: fields.firstName ?? `Prénom${serial}`,
      lastName: fields.lastName ?? `Nom${serial}`,
      email: fields.email ?? `contact-${serial}-${Date.now()}@exemple.fr`,
      organisations: fields.organisations ?? [],
    },
    { via: 'test' },
  );
}

export async function insertOrganisation(fields: { name?: string; type?: string; territory?: string } = {}) {
  serial++;
  return Organisation.create({ name: fields.name ?? `Organisation ${serial}`, type: fields.type ?? 'association-locale', territory: fields.territory });
}
