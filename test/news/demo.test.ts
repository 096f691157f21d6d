import { expect } from 'chai';
import { seedDemoNews } from '../../fixtures/demo/news.js';
import { News } from '../../server/news/news.model.js';
import { previousMonth } from '../../server/newsletters/month.js';
import { compileNewsletter } from '../../server/newsletters/newsletter.service.js';
import { resetDatabase, testConfig } from '../helpers.js';

describe('demo news', () => {
  before(resetDatabase);

  it("fills last month, once, so the demo's newsletter has a draft to compile", async () => {
    await seedDemoNews();
    await seedDemoNews();
    expect(await News.countDocuments()).to.equal(14);
    const { issue, outcome } = await compileNewsletter({ config: testConfig() }, previousMonth(new Date()));
    expect(outcome).to.equal('created');
    expect(issue.items).to.have.length(14);
    expect(issue.sections).to.have.length(9);
  });
});
