import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkNewPassword, dummyPasswordHash, generatePassword, hashPassword, needsRehash, PASSWORD_PARAMS, verifyPassword } from './passwords.js';

const EARLIER_PASSWORD = 'a password from before';

describe('passwords', () => {
  it('hashes with scrypt, a fresh salt each time and the parameters in the stored string', async () => {
    const [a, b] = await Promise.all([hashPassword('correct horse battery'), hashPassword('correct horse battery')]);
    assert.match(a, new RegExp(`^\\$scrypt\\$ln=${PASSWORD_PARAMS.ln},r=${PASSWORD_PARAMS.r},p=${PASSWORD_PARAMS.p}\\$[\\w-]{22}\\$[\\w-]{43}$`));
    assert.notEqual(a, b);
    assert.equal(await verifyPassword('correct horse battery', a), true);
    assert.equal(await verifyPassword('correct horse battery', b), true);
    assert.equal(await verifyPassword('correct horse batterY', a), false);
    assert.equal(await verifyPassword('', a), false);
  });

  it('keeps a dummy hash for unknown emails that costs a full verification at the current parameters and matches nothing', async () => {
    const dummy = await dummyPasswordHash();
    const real = await hashPassword('correct horse battery');
    // Same format and parameters as a real hash, so verifying against it runs the same scrypt.
    assert.equal(dummy.replace(/\$[\w-]+\$[\w-]+$/, ''), real.replace(/\$[\w-]+\$[\w-]+$/, ''));
    assert.equal(needsRehash(dummy), false);
    assert.equal(await verifyPassword('correct horse battery', dummy), false);
    assert.equal(await dummyPasswordHash(), dummy);
  });

  it('verifies a hash made with other parameters, and says it needs upgrading', async () => {
    const weaker = await hashPassword('an older password', { ln: 14, r: 8, p: 1 });
    assert.equal(await verifyPassword('an older password', weaker), true);
    assert.equal(needsRehash(weaker), true);
    assert.equal(needsRehash(await hashPassword('a current password')), false);
    assert.equal(needsRehash(await hashPassword('half the lanes', { ln: 16, r: 8, p: 1 })), true, 'less work than N=2^16, p=2');
  });

  it('keeps verifying hashes stored at N=2^17, r=8, p=1 (the earlier parameters), without asking to rehash them', async () => {
    // Made by the earlier code (hashPassword at { ln: 17, r: 8, p: 1 }): a fixed vector, not re-derived here.
    const stored = '$scrypt$ln=17,r=8,p=1$R5JncJ4J5ZmVCw5crXNoew$v6m1cRRmhYQbJGzgPIYIXiveFg_KBGmytECXrvxbBFM';
    assert.equal(await verifyPassword(EARLIER_PASSWORD, stored), true);
    assert.equal(await verifyPassword('another password entirely', stored), false);
    assert.equal(needsRehash(stored), false, 'the same work as today');
  });

  it('treats a damaged or foreign hash as a mismatch, never as a match or a crash', async () => {
    for (const stored of ['', 'plain text', '$2b$12$abcdefghijklmnopqrstuv', '$scrypt$ln=40,r=8,p=1$c2FsdA$aGFzaA', '$scrypt$ln=17,r=8,p=1$$']) {
      assert.equal(await verifyPassword('anything at all', stored), false, stored);
    }
  });

  it('treats Unicode spellings of one password alike (NFC)', async () => {
    const stored = await hashPassword('caf\u00e9 au lait, bitte');
    assert.equal(await verifyPassword('cafe\u0301 au lait, bitte', stored), true);
  });

  it('generates long passwords without look-alike characters that pass the password rule', () => {
    const seen = new Set(Array.from({ length: 200 }, generatePassword));
    assert.equal(seen.size, 200);
    for (const password of seen) {
      assert.match(password, /^[A-HJ-NP-Za-km-z2-9]{24}$/);
      assert.doesNotThrow(() => checkNewPassword(password));
    }
  });

  it('wants at least 12 characters (counted as characters, not bytes) and at most 1024', () => {
    assert.throws(() => checkNewPassword('elevenchars'), { code: 'password_too_short' });
    assert.doesNotThrow(() => checkNewPassword('twelve chars'));
    assert.throws(() => checkNewPassword('🔒🔒🔒🔒🔒🔒'), { code: 'password_too_short' });
    assert.throws(() => checkNewPassword('x'.repeat(1025)), { code: 'password_too_long' });
  });
});
