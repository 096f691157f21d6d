import { contactQuery } from '../../server/contacts/contact.filter.js';
import type { ContactFilter } from '../../server/contacts/contact.schemas.js';
import { contactIdsMatching, contactPage } from '../../server/contacts/contact.store.js';
import { connectDatabase, disconnectDatabase } from '../../server/lib/db.js';

/**
 * Another process of the app, for store.test.ts: it keeps its own contact index and answers
 * `{ ask, filter }` with the ids the store finds there, or with `page` the first page's documents.
 */
async function answerQuestions(): Promise<void> {
  await connectDatabase(process.env.TEST_MONGODB_URI!);
  process.on('message', async (message: { ask: number; filter: ContactFilter; page?: boolean }) => {
    try {
      const where = await contactQuery(message.filter);
      if (message.page) process.send!({ ask: message.ask, page: (await contactPage(where, { sort: { field: 'sortName', order: 1 }, skip: 0, limit: 25 })).items });
      else process.send!({ ask: message.ask, ids: await contactIdsMatching(where) });
    } catch (error) {
      process.send!({ ask: message.ask, error: String(error) });
    }
  });
  process.on('disconnect', () => void disconnectDatabase().then(() => process.exit(0)));
  process.send!({ ready: true });
}

// Mocha also loads this file when given the folder: only a forked child answers.
if (process.argv[1]?.endsWith('second-process.ts')) void answerQuestions();
