import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { newToken, TokenSource } from '../../main/core/auth/token.ts';
import { tempHome } from '../helpers/home.ts';

describe('TokenSource', () => {
  it('refuses to sign or verify a session with an empty or short key', () => {
    const t = tempHome();
    try {
      const file = join(t.home, 'token');
      for (const content of ['', 'short-key\n']) {
        writeFileSync(file, content);
        const src = new TokenSource(file);
        assert.throws(() => src.signSession(60_000), /no usable token/);
        assert.equal(src.matches(content.trim()), false);
      }
    } finally {
      t.cleanup();
    }
  });

  it('keeps the last good token when the file is truncated, and takes the next good one', async () => {
    const t = tempHome();
    try {
      const file = join(t.home, 'token');
      const good = newToken();
      writeFileSync(file, good + '\n');
      const src = new TokenSource(file);
      const cookie = src.signSession(60_000);
      writeFileSync(file, '');
      await new Promise((r) => setTimeout(r, 250));
      assert.equal(src.current(true), good);
      assert.ok(src.verifySession(cookie));
      const next = newToken();
      writeFileSync(file, next + '\n');
      assert.equal(src.current(true), next);
      assert.equal(src.verifySession(cookie), false, 'a new token voids the old cookies');
    } finally {
      t.cleanup();
    }
  });
});
