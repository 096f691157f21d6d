import { expect } from 'chai';
import { seedDemoContacts } from '../../fixtures/demo/contacts.js';
import { Contact } from '../../server/contacts/contact.model.js';
import { Organisation } from '../../server/organisations/organisation.model.js';
import { countSegment } from '../../server/segments/segment.service.js';
import { Segment } from '../../server/segments/segment.model.js';
import { resetDatabase } from '../helpers.js';

describe('the demo contact base', () => {
  before(resetDatabase);

  it('loads qualified demo contacts, organisations and segments, twice without duplicates', async () => {
    await seedDemoContacts();
    const counts = [await Contact.countDocuments(), await Organisation.countDocuments(), await Segment.countDocuments()];
    expect(counts[0]).to.be.at.least(30);
    expect(counts[1]).to.be.at.least(12);
    await seedDemoContacts();
    expect([await Contact.countDocuments(), await Organisation.countDocuments(), await Segment.countDocuments()]).to.deep.equal(counts);
    const unqualified = await Contact.countDocuments({ $or: [{ themes: { $size: 0 } }, { territories: { $size: 0 } }] });
    expect(unqualified).to.equal(0);
    for (const segment of await Segment.find().lean()) expect(await countSegment(String(segment._id))).to.be.greaterThan(0);
  });
});
