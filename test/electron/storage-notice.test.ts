import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Snapshot } from '../../main/common/layer-protocol.ts';
import { Notifier, type Notice } from '../../main/electron/notifier.ts';
import { snapshot } from './fixtures.ts';

const withStorage = (status: 'ok' | 'logs-failing' | 'runs-failing'): Snapshot => ({ ...snapshot(), storage: { status, path: status === 'ok' ? null : '/h/runs', reason: status === 'ok' ? '' : 'disk full: /h/runs', since: '2026-01-01T00:00:00Z' } });

describe('full-disk notice', () => {
  it('says once that the disk is full, not again while it stays full, and once that space is back', () => {
    const shown: Notice[] = [];
    let now = 0;
    const n = new Notifier((x) => shown.push(x), () => now, { perKeyMs: 1000 });
    n.update(withStorage('ok'));
    n.update(withStorage('runs-failing'));
    now += 5000;
    n.update(withStorage('runs-failing'));
    n.update(withStorage('runs-failing'));
    now += 5000;
    n.update(withStorage('ok'));
    assert.deepEqual(shown.map((s) => s.title), ['Disk full: skills are not starting', 'Disk space is back']);
    assert.match(shown[0]!.body, /disk full: \/h\/runs/);
  });
});
