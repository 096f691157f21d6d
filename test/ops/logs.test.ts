import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { resetDatabase } from '../helpers.js';

const run = promisify(execFile);

describe('logs', () => {
  before(resetDatabase);

  it('drop e-mails and names from objects handed to the logger whole, at any level', async () => {
    const script = `
      import { createLogger } from './server/lib/logger.ts';
      const logger = createLogger('info');
      logger.info({ importId: 'i1', undo: { deleted: 2, kept: [{ contact: 'c1', email: 'anne.martin@ville.test', line: 4 }] } }, 'import undone');
      logger.warn({ contact: { firstName: 'Anne', lastName: 'Martin', emails: ['a@b.test'], id: 'c1' } }, 'contact skipped');
      logger.info({ mail: { to: 'anne.martin@ville.test', subject: 'Bienvenue' } }, 'mail queued');
    `;
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script]);
    const lines = stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, any>);
    expect(lines).to.have.length(3);
    expect(stdout).not.to.include('anne.martin').and.not.to.include('Martin').and.not.to.include('a@b.test');
    expect(lines[0].undo.kept[0]).to.deep.equal({ contact: 'c1', line: 4 });
    expect(lines[1].contact).to.deep.equal({ id: 'c1' });
    expect(lines[2].mail).to.deep.equal({ subject: 'Bienvenue' });
  });
});
