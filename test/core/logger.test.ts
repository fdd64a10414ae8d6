import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createFileLogger } from '../../main/core/home/logger.ts';
import { tempHome } from '../helpers/home.ts';

describe('file logger', () => {
  it('rotates logs/app.log past its cap, keeping one generation, and both stay under the cap', () => {
    const t = tempHome();
    try {
      const file = join(t.home, 'app.log');
      const log = createFileLogger(file, false, 64 * 1024);
      for (let i = 0; i < 5000; i++) log.info(`line ${i} ${'x'.repeat(80)}`);
      assert.deepEqual(readdirSync(t.home).sort(), ['app.log', 'app.log.1']);
      for (const f of ['app.log', 'app.log.1']) assert.ok(statSync(join(t.home, f)).size <= 64 * 1024, f);
    } finally {
      t.cleanup();
    }
  });
});
