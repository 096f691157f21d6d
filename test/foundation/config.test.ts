import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { ConfigError, loadConfig } from '../../server/lib/config.js';
import { signToken, verifyToken } from '../../server/lib/tokens.js';

describe('configuration', () => {
  it('names the invalid key in French', () => {
    expect(() => loadConfig({ PORT: 'abc', SECRET: 'x'.repeat(40) })).to.throw(ConfigError, /PORT/);
    expect(() => loadConfig({ SECRET: 'court' })).to.throw(ConfigError, /SECRET: au moins 32 caractères/);
  });

  it('requires SECRET and SMTP_URL in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', SMTP_URL: 'smtp://x' })).to.throw(ConfigError, /SECRET est obligatoire/);
    expect(() => loadConfig({ NODE_ENV: 'production', SECRET: 'x'.repeat(40) })).to.throw(ConfigError, /SMTP_URL est obligatoire/);
  });

  it('derives PUBLIC_URL from PORT and freezes the result', () => {
    const config = loadConfig({ PORT: '4100', SECRET: 'x'.repeat(40), NODE_ENV: 'test' });
    expect(config.publicUrl).to.equal('http://localhost:4100');
    expect(Object.isFrozen(config)).to.equal(true);
  });

  it('lists every key of .env.example in the README, and every key the configuration reads in .env.example', () => {
    const example = readFileSync('.env.example', 'utf8');
    const readme = readFileSync('README.md', 'utf8');
    const exampleKeys = [...example.matchAll(/^#? ?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]);
    expect(exampleKeys.filter((key) => !readme.includes(`\`${key}\``)), 'keys missing from the README').to.deep.equal([]);
    const readKeys = [...readFileSync('server/lib/config.ts', 'utf8').matchAll(/\b([A-Z][A-Z0-9_]{2,}): z\./g)].map((m) => m[1]);
    expect(readKeys.filter((key) => !exampleKeys.includes(key)), 'keys missing from .env.example').to.deep.equal([]);
  });
});

describe('signed tokens', () => {
  const secret = 's'.repeat(40);
  it('round-trips and refuses another purpose, another secret, a changed subject or an expired token', () => {
    const token = signToken(secret, { purpose: 'unsubscribe', subject: 'abc', expiresAt: Date.now() + 60_000 });
    expect(verifyToken(secret, 'unsubscribe', token)).to.equal('abc');
    expect(verifyToken(secret, 'confirm', token)).to.equal(undefined);
    expect(verifyToken('t'.repeat(40), 'unsubscribe', token)).to.equal(undefined);
    const forged = signToken(secret, { purpose: 'unsubscribe', subject: 'xyz' }).split('.')[0] + '.' + token.split('.')[1];
    expect(verifyToken(secret, 'unsubscribe', forged)).to.equal(undefined);
    const expired = signToken(secret, { purpose: 'unsubscribe', subject: 'abc', expiresAt: Date.now() - 1 });
    expect(verifyToken(secret, 'unsubscribe', expired)).to.equal(undefined);
  });
});
