import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleEntry } from '../../server/lib/bundle.js';

describe('server bundles (server/lib/bundle.ts)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'maillage-bundle-'));
  const source = path.join(dir, 'entry.ts');
  const name = `bundle-test-${process.pid}.mjs`;
  let file = '';
  after(() => {
    rmSync(dir, { recursive: true, force: true });
    if (file) rmSync(file, { force: true });
  });

  it('uses a bundle again while its inputs are unchanged, and makes it again once another checkout wrote over it', async () => {
    writeFileSync(source, "export const answer: number = 42;\n");
    file = await bundleEntry(source, () => name);
    expect(readFileSync(file, 'utf8')).to.include('42');
    const made = statSync(file).mtimeMs;
    expect(await bundleEntry(source, () => name)).to.equal(file);
    expect(statSync(file).mtimeMs, 'not written again').to.equal(made);

    // another checkout sharing node_modules bundles its own entry of the same name
    writeFileSync(file, 'export const answer = 41;\n');
    utimesSync(file, new Date(), new Date(Date.now() + 5_000));
    expect(await bundleEntry(source, () => name)).to.equal(file);
    expect(readFileSync(file, 'utf8')).to.include('42');
  });
});
