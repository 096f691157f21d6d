import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The contact store (server/contacts/contact.store.ts, with its private index and model) is
 * the only code that reads or writes the `contacts` collection: a write elsewhere would
 * escape the index log and the contacts' history. Benchmarks and tests may seed the
 * database directly; the application, its jobs and its fixtures may not.
 */
const STORE = ['contact.store.ts', 'contact.model.ts'].map((file) => path.join('server', 'contacts', file));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(full) : /\.tsx?$/.test(full) ? [full] : [];
  });
}

const FORBIDDEN: Array<[string, RegExp]> = [
  ['imports the contact model or index', /^import\s+(?!type\b)[^;]*from\s+'[^']*\/contact\.(model|index)\.js'/m],
  ['names the contacts collection', /collection\(\s*['"`]contacts['"`]/],
  ['looks the model up by name', /models?\s*(\.\s*Contact\b|\(\s*['"]Contact['"])/],
];

/** What a source says about the contacts collection that only the store may say. */
function storeViolations(file: string, source: string): string[] {
  return FORBIDDEN.filter(([, pattern]) => pattern.test(source)).map(([what]) => `${file} ${what}`);
}

/**
 * The contact filter's `lists` and `membership` criteria read subscriptions and memberships
 * from the store's memory, kept by a plugin on their models: a raw driver write escapes it,
 * so only these files may write them raw, each noting what it wrote (`noteFactsChanged`).
 */
const RAW_FACT_WRITERS = ['contact.index.ts', 'contact.service.ts'].map((file) => path.join('server', 'contacts', file));
const RAW_FACTS: RegExp[] = [/collection\(\s*['"`](subscriptions|memberships)['"`]/, /\b(Subscription|Membership)\.collection\b/];

describe('the contact store owns the contacts collection', () => {
  it('is told of every raw write of subscriptions and memberships', () => {
    const files = ['server', 'jobs', 'fixtures'].flatMap(sourceFiles).filter((file) => !RAW_FACT_WRITERS.includes(file));
    const violations = files.filter((file) => RAW_FACTS.some((pattern) => pattern.test(readFileSync(file, 'utf8'))));
    expect(violations).to.deep.equal([]);
    expect(RAW_FACTS.some((pattern) => pattern.test("db.collection('memberships').updateOne({}, {})"))).to.equal(true);
    expect(RAW_FACTS.some((pattern) => pattern.test('await Subscription.collection.insertMany(rows)'))).to.equal(true);
  });

  it('is the only code naming the collection, its model or its index', () => {
    const files = ['server', 'jobs', 'fixtures'].flatMap(sourceFiles).filter((file) => !STORE.includes(file));
    const violations = files.flatMap((file) => storeViolations(file, readFileSync(file, 'utf8')));
    expect(violations).to.deep.equal([]);
  });

  it('recognises each way around it', () => {
    const bypasses = [
      "import { Contact } from '../contacts/contact.model.js';",
      "import { noteContactsChanged } from '../contacts/contact.index.js';",
      "await mongoose.connection.db!.collection('contacts').updateMany({}, {});",
      "await db.collection(`contacts`).insertOne(doc);",
      "const Contact = mongoose.model('Contact');",
      'mongoose.models.Contact.find();',
    ];
    for (const source of bypasses) expect(storeViolations('x.ts', source), source).to.have.length(1);
    expect(storeViolations('x.ts', "import type { ContactRecord } from '../contacts/contact.model.js';")).to.deep.equal([]);
  });
});
