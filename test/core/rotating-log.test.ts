import assert from 'node:assert/strict';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createRotatingLogger, createServiceLogger } from '../../main/core/home/rotating-log.ts';
import { tempHome } from '../helpers/home.ts';

describe('the service host\'s rotating log', () => {
  it('keeps one older generation and stays bounded however much is logged', () => {
    const t = tempHome();
    try {
      const file = join(t.home, 'logs', 'host.log');
      const log = createRotatingLogger(file, 4096).child('host');
      for (let i = 0; i < 2050; i++) log.info(`line ${i} ${'x'.repeat(40)}`);
      assert.ok(existsSync(`${file}.1`), 'rotated');
      // checked every 100 lines: at most maxBytes + 100 lines past it, per generation
      assert.ok(statSync(file).size < 4096 + 100 * 100, `${statSync(file).size}`);
      assert.ok(statSync(`${file}.1`).size < 4096 + 100 * 100);
    } finally {
      t.cleanup();
    }
  });

  it('trims launchd\'s stderr file at start when it grew past 1 MiB', () => {
    const t = tempHome();
    try {
      const err = join(t.home, 'host.stderr.log');
      writeFileSync(err, Buffer.alloc(2 * 1024 * 1024, 120));
      createServiceLogger(join(t.home, 'host.log')).info('started');
      assert.ok(statSync(err).size < 200);
    } finally {
      t.cleanup();
    }
  });
});
