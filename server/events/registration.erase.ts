import type { Types } from 'mongoose';
import { Registration } from './event.model.js';

/**
 * RGPD erasure of a contact: its registrations lose everything personal (names, address,
 * declared organisation, answers, needs). What is left (event, status, attendance, type of
 * structure, function, territory) only counts in the event's figures, like the erased contact.
 */
export async function eraseRegistrationsOf(contact: Types.ObjectId): Promise<void> {
  await Registration.updateMany(
    { contact },
    {
      $set: {
        email: `efface-${contact}@efface.invalid`,
        firstName: '',
        lastName: '',
        organisationName: '',
        territoryLabel: '',
        accessibilityNeeds: '',
        answers: [],
        erasedAt: new Date(),
      },
    },
  );
}
