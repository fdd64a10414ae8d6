import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { systemClock } from '../../main/core/scheduling/clock.ts';
import { createMemoryLogger } from '../../main/core/home/logger.ts';
import { checkStorage, isStorageError, StorageMonitor } from '../../main/core/health/storage-health.ts';
import { tempHome } from '../helpers/home.ts';

describe('storage health', () => {
  it('session history that cannot be written makes storage logs-failing (degraded) with its path, until the layer can write again', () => {
    const t = tempHome();
    try {
      for (const d of ['runs', 'logs']) mkdirSync(join(t.home, d));
      const m = new StorageMonitor({
        runsDir: join(t.home, 'runs'), logsDir: join(t.home, 'logs'), logger: createMemoryLogger(), clock: systemClock,
      });
      assert.equal(m.health().status, 'ok');
      m.layerWrites('session', `disk full: ${join(t.home, 'sessions')}; session history is not stored`);
      assert.deepEqual({ status: m.health().status, path: m.health().path }, { status: 'logs-failing', path: join(t.home, 'sessions') });
      m.layerWrites('session', null);
      assert.equal(m.health().status, 'ok');
      m.stop();
    } finally {
      t.cleanup();
    }
  });

  it('a run start entry that cannot be written is runs-failing; a programming error is not a storage error', () => {
    const t = tempHome();
    try {
      for (const d of ['runs', 'logs']) mkdirSync(join(t.home, d));
      const m = new StorageMonitor({
        runsDir: join(t.home, 'runs'), logsDir: join(t.home, 'logs'), logger: createMemoryLogger(), clock: systemClock,
        probeMs: 60_000,
      });
      assert.equal(m.writeFailed('runs', 'x', new TypeError('bug')), false);
      const enospc = Object.assign(new Error('no space'), { code: 'ENOSPC' });
      assert.ok(isStorageError(enospc));
      assert.equal(m.writeFailed('runs', join(t.home, 'runs', 'a.jsonl'), enospc), true);
      assert.equal(m.health().status, 'runs-failing');
      assert.match(m.health().reason, new RegExp(`^disk full: ${join(t.home, 'runs')}`));
      m.probe(); // the disk is fine in fact: the probe sees it and says so
      assert.equal(m.health().status, 'ok');
      assert.equal(checkStorage(join(t.home, 'runs'), join(t.home, 'logs')).status, 'ok');
    } finally {
      t.cleanup();
    }
  });
});
