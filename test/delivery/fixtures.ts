import { Types } from 'mongoose';
import { deriveContactFields } from '../../server/contacts/contact.service.js';
import { insertContacts, newContactDefaults } from '../../server/contacts/contact.store.js';
import { List } from '../../server/lists/list.model.js';
import { Subscription } from '../../server/subscriptions/subscription.model.js';

/** `count` contacts subscribed to a list, written in bulk (recipients for the sender's tests). */
export async function subscribedContacts(count: number, options: { list?: string; prefix?: string; domain?: string } = {}) {
  const list = (await List.findOne({ code: options.list ?? 'lettre-mensuelle' }).lean())!;
  const prefix = options.prefix ?? 'abonne';
  const at = new Date();
  const contacts = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      deriveContactFields({
        ...newContactDefaults(),
        _id: new Types.ObjectId(),
        email: `${prefix}-${i}@${options.domain ?? 'exemple.fr'}`,
        firstName: `Prénom${i}`,
        lastName: `Nom${i}`,
        createdAt: at,
        updatedAt: at,
      }),
    ),
  );
  for (let start = 0; start < contacts.length; start += 1000) {
    const chunk = contacts.slice(start, start + 1000);
    await insertContacts(chunk, { via: 'test' });
    await Subscription.insertMany(
      chunk.map((c) => ({ contact: c._id, list: list._id, status: 'subscribed', source: 'staff', consent: { at: new Date(), source: 'staff', confirmedAt: new Date() } })),
      { ordered: false },
    );
  }
  return { list, contacts };
}

export const NEWSLETTER_CONTENT = {
  subject: 'La lettre de novembre, %%FIRST_NAME%%',
  html: '<html><body><p>Bonjour %%FIRST_NAME%% %%LAST_NAME%%,</p><p>Les actualités du mois.</p><p><a href="%%UNSUBSCRIBE_URL%%">Se désabonner</a> · <a href="%%BROWSER_URL%%">Voir en ligne</a></p></body></html>',
  text: 'Bonjour %%FIRST_NAME%% %%LAST_NAME%%,\n\nLes actualités du mois.\n\nSe désabonner : %%UNSUBSCRIBE_URL%%',
};
