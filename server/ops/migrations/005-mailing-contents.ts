import type { Db } from 'mongodb';
import type { Migration } from './types.js';

/**
 * A mailing's content moves to `mailing_contents`, under the mailing's `_id`
 * (server/delivery/mailing.model.ts): copied first, then removed from the mailing, so that a
 * run cut mid-way and run again finds it in one place or the other.
 */
export const migration: Migration = {
  version: 5,
  name: 'mailing-contents',
  async up(db: Db) {
    const mailings = db.collection('mailings');
    const contents = db.collection('mailing_contents');
    const ids = (await mailings.find({ content: { $exists: true } }, { projection: { _id: 1 } }).toArray()).map((m) => m._id);
    for (const _id of ids) {
      const mailing = await mailings.findOne({ _id }, { projection: { content: 1 } });
      if (!mailing?.content) continue;
      const { subject, html, text } = mailing.content as { subject: string; html: string; text: string };
      await contents.replaceOne({ _id }, { subject, html, text }, { upsert: true });
      await mailings.updateOne({ _id }, { $unset: { content: '' } });
    }
  },
};
