import { readFileSync } from 'node:fs';
import { List } from './list.model.js';

type ListSeed = { code: string; name: string; description: string; public: boolean; doubleOptIn: boolean; legalBasis: string; consentWording: string };

/** Inserts the three reference lists when missing; never overwrites what staff edited. */
export async function seedReferenceLists(): Promise<void> {
  const seeds = JSON.parse(readFileSync(new URL('../../fixtures/reference/lists.json', import.meta.url), 'utf8')) as ListSeed[];
  await List.bulkWrite(
    seeds.map((seed, order) => ({
      updateOne: { filter: { code: seed.code }, update: { $setOnInsert: { ...seed, order, active: true } }, upsert: true },
    })),
    { ordered: false },
  );
}
