import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RaisedAlert } from '../../main/common/alerts.ts';
import type { Snapshot } from '../../main/common/layer-protocol.ts';
import { Notifier, type Notice } from '../../main/electron/notifier.ts';
import { snapshot } from './fixtures.ts';

// What the notifications say (layer down, partition, disk full…) is decided once, in core:
// test/core/alerts/alert-source.test.ts. Here: the notifier shows that stream, once each, limited.

let seq = 0;
function raised(extra: Partial<RaisedAlert> = {}): RaisedAlert {
  return {
    event: 'layer-failed', message: 'Skills keep running. killed by SIGKILL', at: '2026-01-01T00:00:10.000Z',
    host: 'mac-mini', title: 'Gateway Core is down', subject: 'layer:gateway', ending: false, seq: ++seq, ...extra,
  };
}

function withAlerts(recent: RaisedAlert[], host: { pid?: number; startedAt?: string } = {}): Snapshot {
  const s = snapshot();
  return {
    ...s, host: { ...s.host, pid: host.pid ?? 1, startedAt: host.startedAt ?? '2026-01-01T00:00:00.000Z' },
    alerts: { recent, targets: [], problems: [] },
  };
}

describe('native notifications', () => {
  function setup(opts?: { perKeyMs?: number; maxPerHour?: number }, createdAt = Date.parse('2026-01-01T00:00:00Z')) {
    const shown: Notice[] = [];
    let now = createdAt;
    const n = new Notifier((x) => shown.push(x), () => now, opts);
    return { n, shown, advance: (ms: number) => (now += ms) };
  }

  it('shows each alert of the host once, with its title and message, however many snapshots carry it', () => {
    const { n, shown } = setup({ perKeyMs: 0 });
    const a = raised();
    const b = raised({ event: 'layer-recovered', title: 'Gateway Core recovered', message: 'Back to normal.', ending: true });
    n.update(withAlerts([]));
    n.update(withAlerts([a]));
    n.update(withAlerts([a]));
    n.update(withAlerts([a, b]));
    assert.deepEqual(shown, [{
      title: 'Gateway Core is down', body: 'Skills keep running. killed by SIGKILL',
    }, { title: 'Gateway Core recovered', body: 'Back to normal.' }]);
  });

  it('does not replay what a running host raised before the app attached to it, but shows what follows', () => {
    const { n, shown } = setup({ perKeyMs: 0 }, Date.parse('2026-01-01T01:00:00Z'));
    const old = raised({ at: '2026-01-01T00:30:00.000Z' });
    n.update(withAlerts([old]));
    assert.equal(shown.length, 0);
    n.update(withAlerts([old, raised({ at: '2026-01-01T01:00:05.000Z', title: 'poster is failing', subject: 'skill:poster' })]));
    assert.deepEqual(shown.map((s) => s.title), ['poster is failing']);
  });

  it('shows the alerts a new host raises at its start (its seq starts again)', () => {
    const { n, shown } = setup({ perKeyMs: 0 });
    n.update(withAlerts([raised(), raised()], { pid: 10 }));
    const restarted = { ...raised({ title: 'ClawKeeper restarted after an unclean stop', subject: 'host' }), seq: 1 };
    n.update(withAlerts([restarted], { pid: 11, startedAt: '2026-01-01T00:00:20.000Z' }));
    assert.equal(shown.at(-1)!.title, 'ClawKeeper restarted after an unclean stop');
  });

  it('rate-limits a flapping layer to one notice per subject per window, and always tells the end', () => {
    const { n, shown, advance } = setup({ perKeyMs: 5 * 60_000 });
    const list: RaisedAlert[] = [];
    n.update(withAlerts(list));
    for (let i = 0; i < 5; i++) {
      list.push(raised());
      n.update(withAlerts([...list]));
      advance(10_000);
    }
    assert.equal(shown.length, 1);
    assert.equal(n.suppressed, 4);
    list.push(raised({ title: 'Gateway Core recovered', ending: true }));
    n.update(withAlerts([...list]));
    assert.equal(shown.length, 2);
  });

  it('caps all notices per hour', () => {
    const { n, shown } = setup({ perKeyMs: 0, maxPerHour: 3 });
    n.update(withAlerts([]));
    n.update(withAlerts(['a', 'b', 'c', 'd', 'e'].map((x) => raised({ subject: `skill:${x}`, title: `${x} is failing` }))));
    assert.equal(shown.length, 3);
  });
});
