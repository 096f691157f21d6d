import { contactQuery } from '../../server/contacts/contact.filter.js';
import type { ContactFilter } from '../../server/contacts/contact.schemas.js';
import { contactIdsMatching } from '../../server/contacts/contact.store.js';
import { connectDatabase, disconnectDatabase } from '../../server/lib/db.js';

/**
 * Another process of the app, for store.test.ts: it keeps its own contact index and answers
 * `{ ask, filter }` with the ids the store finds there.
 */
async function answerQuestions(): Promise<void> {
  await connectDatabase(process.env.TEST_MONGODB_URI!);
  process.on('message', async (message: { ask: number; filter: ContactFilter }) => {
    try {
      process.send!({ ask: message.ask, ids: await contactIdsMatching(await contactQuery(message.filter)) });
    } catch (error) {
      process.send!({ ask: message.ask, error: String(error) });
    }
  });
  process.on('disconnect', () => void disconnectDatabase().then(() => process.exit(0)));
  process.send!({ ready: true });
}

// Mocha also loads this file when given the folder: only a forked child answers.
if (process.argv[1]?.endsWith('second-process.ts')) void answerQuestions();
