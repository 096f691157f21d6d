import { expect } from 'chai';
import { seedDemoContacts } from '../../fixtures/demo/contacts.js';
import { seedDemoMemberships } from '../../fixtures/demo/memberships.js';
import { seedDemoSolicitations } from '../../fixtures/demo/solicitations.js';
import { Membership } from '../../server/memberships/membership.model.js';
import { memberStates } from '../../server/memberships/membership.service.js';
import { memberOf } from '../../server/memberships/member-state.js';
import { parisYear } from '../../server/lib/paris-time.js';
import { Solicitation } from '../../server/solicitations/solicitation.model.js';
import { resetDatabase } from '../helpers.js';

describe('demo memberships and solicitations', () => {
  before(async function () {
    this.timeout(120_000);
    await resetDatabase();
    await seedDemoContacts();
  });

  it('attach to the demo contacts, show every member state, and load twice without duplicates', async function () {
    this.timeout(120_000);
    const now = new Date();
    await seedDemoMemberships(now);
    await seedDemoSolicitations(now);
    const memberships = await Membership.countDocuments();
    const solicitations = await Solicitation.countDocuments();
    await seedDemoMemberships(now);
    await seedDemoSolicitations(now);
    expect(await Membership.countDocuments()).to.equal(memberships);
    expect(await Solicitation.countDocuments()).to.equal(solicitations);
    expect(memberships).to.equal(21); // 11 members last year, 10 renewed this year
    expect(solicitations).to.equal(14);
    const year = parisYear(now);
    const keys = [...new Set((await Membership.find({}).lean()).map((m) => memberOf(m)))];
    const states = [...(await memberStates(keys, now)).values()];
    expect(new Set(states)).to.include.members(['a-jour', 'en-retard']);
    expect(await Membership.countDocuments({ year, boardRoles: 'co-presidence' })).to.equal(2);
    expect(await Solicitation.countDocuments({ status: 'new' })).to.equal(2);
  });
});
