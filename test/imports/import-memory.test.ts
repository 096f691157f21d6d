import { expect } from 'chai';
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, openAsBlob, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateCsv } from '../../bench/import/generate.js';
import { Contact } from '../../server/contacts/contact.model.js';
import { clientAs, resetDatabase, type Client } from '../helpers.js';
import { waitForImport } from './import-helpers.js';

const MB = 1024 * 1024;

/** Asks the server process something and waits for the answer carrying `key`. */
async function ask<T>(child: ChildProcess, message: string, key: string): Promise<T> {
  const answer = new Promise<T>((resolve) => {
    const listen = (reply: Record<string, T>) => {
      if ('heap' in reply) console.log(`      peak heap+external: ${Math.round(Number(reply.heap) / MB)} MB`);
      if (key in reply) {
        child.off('message', listen);
        resolve(reply[key]);
      }
    };
    child.on('message', listen);
  });
  child.send(message);
  return answer;
}

describe('importing a large file', function () {
  this.timeout(600_000);
  let dir: string;
  let child: ChildProcess;
  let client: Client;
  before(async () => {
    await resetDatabase();
    dir = mkdtempSync(path.join(os.tmpdir(), 'maillage-import-memory-'));
    child = fork(new URL('./memory-server.ts', import.meta.url).pathname, [], {
      // V8 lets garbage pile up to a fraction of the machine's memory (24 GiB here) before a
      // full collection; a production server runs with its heap capped (NODE_OPTIONS), so
      // does this one. The file itself (52 MB, twice that decoded) could not fit under the bound.
      execArgv: ['--import', 'tsx', '--expose-gc', '--max-old-space-size=300'],
      env: { ...process.env, DATA_DIR: dir, MAILLAGE_MEMORY_SERVER: '1' },
    });
    const [{ url }] = (await once(child, 'message')) as [{ url: string }];
    client = (await clientAs({ url }, 'staff')).client;
  });
  after(async () => {
    child.send('stop');
    await once(child, 'exit');
    rmSync(dir, { recursive: true, force: true });
  });

  it('uploads, previews and commits a 50 MB file without raising the server RSS by more than 100 MB', async () => {
    // Warm-up: the first import loads the official geography once (a cache, not the file).
    const form = new FormData();
    form.append('file', new Blob(['Email;Code postal\nchauffe@exemple.fr;93200\n']), 'chauffe.csv');
    await client.post('/api/imports', form);

    const file = path.join(dir, 'grand.csv');
    const rows = 10_000;
    await generateCsv(file, rows, { padding: 5_300, prefix: 'grand' });
    expect(statSync(file).size).to.be.greaterThan(50 * MB);

    const baseline = await ask<number>(child, 'gc-and-reset', 'baseline');
    const upload = new FormData();
    upload.append('file', await openAsBlob(file), 'grand.csv'); // file-backed: the test does not hold it either
    const created = await client.post('/api/imports', upload);
    expect(created.status, created.text).to.equal(201);
    expect(created.body.preview.counts).to.include({ rows, created: rows, errors: 0 });
    const afterPreview = await ask<number>(child, 'peak', 'peak');
    console.log(`      after upload and dry run: +${((afterPreview - baseline) / MB).toFixed(1)} MB`);
    await client.post(`/api/imports/${created.body.id}/commit`);
    const done = await waitForImport(client, created.body.id, ['done', 'failed'], 500_000);
    expect(done.status).to.equal('done');
    expect(done.counts).to.include({ rows, created: rows });
    expect(await Contact.countDocuments({ email: /^grand/ })).to.equal(rows);

    const peak = await ask<number>(child, 'peak', 'peak');
    const raised = (peak - baseline) / MB;
    console.log(`      server RSS: baseline ${Math.round(baseline / MB)} MB, peak ${Math.round(peak / MB)} MB (+${raised.toFixed(1)} MB)`);
    expect(raised).to.be.lessThan(100);
  });
});
