// Dispatcher.admitSlot and the overlap policy: the gates a scheduled slot passes, in order, on a
// fake clock with scripted processes (test/helpers/fake-launcher.ts). What a real process adds
// (its exit, output, deadline) is covered by test/core/runner.test.ts and the host tests.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { afterEach, describe, it } from 'node:test';
import type { ProbeResult } from '../../../main/core/dependencies/probe-target.ts';
import { QUEUE_CAP } from '../../../main/core/host/runs-in-flight.ts';
import { readLedger, tempHome, writeSkill } from '../../helpers/home.ts';
import { clockHost, type ClockHost } from '../../helpers/fake-launcher.ts';

const SLOT = '2026-02-02T09:00:00.000Z';
const NEXT = '2026-02-02T09:01:00.000Z';

describe('Dispatcher gates on a fake clock', () => {
  let done: () => Promise<void> = async () => {};
  afterEach(async () => done());

  async function setUp(
    manifest: Record<string, unknown>, opts: Parameters<typeof clockHost>[2] = {},
  ): Promise<ClockHost & { home: string; entries: () => Record<string, unknown>[] }> {
    const t = tempHome();
    writeSkill(t.home, 's', { schedule: '* * * * *', command: ['/bin/true'], ...manifest });
    const h = await clockHost(t.home, '2026-02-02T09:00:00Z', opts);
    done = async () => {
      for (const p of h.launcher.started) p.exit(0);
      await h.host.stop(true);
      t.cleanup();
    };
    return { ...h, home: t.home, entries: () => readLedger(t.home, 's') };
  }

  it('a slot already in the ledger is never started again, and nothing more is written', async () => {
    const h = await setUp({});
    h.fire('s', SLOT);
    await h.end(0);
    h.fire('s', SLOT);
    assert.equal(h.launcher.started.length, 1);
    assert.deepEqual(h.entries().map((e) => e.type), ['start', 'end']);
  });

  it('a paused skill: the slot gets a `paused` skip and no process', async () => {
    const h = await setUp({});
    h.host.pause('s');
    h.fire('s', SLOT);
    assert.equal(h.launcher.started.length, 0);
    assert.deepEqual(h.entries().map((e) => [e.type, e.reason]), [['skip', 'paused']]);
  });

  it('a need down: nothing is written while it waits, and the slot runs as catch-up when the need is back', async () => {
    let up = false;
    const probe = (): Promise<ProbeResult> => Promise.resolve(up ? { ok: true, ms: 1 } : { ok: false, ms: 1, error: 'connection refused' });
    const h = await setUp({ needs: ['network'] }, { probe });
    await waitForDependency(h, 'down');
    h.fire('s', SLOT);
    assert.equal(h.launcher.started.length, 0);
    assert.deepEqual(h.entries(), []);
    assert.deepEqual(h.host.deferredOn('s'), ['network']);
    up = true;
    const back = waitForDependency(h, 'ok');
    h.host.hintDependencies();
    await back;
    assert.equal(h.launcher.started.length, 1);
    const start = h.entries().find((e) => e.type === 'start')!;
    assert.equal(start.slot, SLOT);
    assert.equal(start.trigger, 'catch-up');
  });

  it('an open breaker: the slot gets `breaker-open`; after the cool-down the next slot is the probe run', async () => {
    const h = await setUp({ breaker: { failures: 2, coolDownSeconds: 120 } });
    for (const slot of ['2026-02-02T08:58:00.000Z', '2026-02-02T08:59:00.000Z']) {
      h.fire('s', slot);
      await h.end(1);
    }
    h.fire('s', SLOT);
    assert.equal(h.launcher.started.length, 2);
    const skip = h.entries().at(-1)!;
    assert.equal(skip.reason, 'breaker-open');
    h.clock.advance(120_000);
    h.fire('s', '2026-02-02T09:02:00.000Z');
    assert.equal(h.launcher.started.length, 3);
    assert.equal(h.entries().at(-1)!.breaker_probe, true);
  });

  const overlaps: { policy: string; expect: (h: ClockHost, entries: Record<string, unknown>[]) => void }[] = [
    {
      policy: 'skip',
      expect: (h, entries) => {
        assert.equal(h.launcher.started.length, 1);
        assert.deepEqual(entries.filter((e) => e.type === 'skip').map((e) => [e.slot, e.reason]), [[NEXT, 'skipped-overlap']]);
      },
    },
    {
      policy: 'queue',
      expect: (h, entries) => {
        assert.equal(h.launcher.started.length, 2, 'the queued slot started when the first run ended');
        assert.deepEqual(entries.filter((e) => e.type === 'start').map((e) => e.slot), [SLOT, NEXT]);
        assert.deepEqual(h.launcher.started[0]!.signals, []);
      },
    },
    {
      policy: 'replace',
      expect: (h, entries) => {
        assert.deepEqual(h.launcher.started[0]!.signals, ['SIGTERM'], 'the running one was stopped');
        assert.deepEqual(entries.filter((e) => e.type === 'start').map((e) => e.slot), [SLOT, NEXT]);
      },
    },
  ];
  for (const o of overlaps) {
    it(`overlap ${o.policy}: a slot due while the last run still runs`, async () => {
      const h = await setUp({ overlap: o.policy });
      h.fire('s', SLOT);
      const first = h.launcher.last;
      const ended = once(h.host, 'run-end');
      h.fire('s', NEXT);
      if (o.policy !== 'replace') first.exit(0);
      await ended;
      o.expect(h, h.entries());
    });
  }

  it(`overlap queue: past ${QUEUE_CAP} waiting runs a slot gets \`queue-full\``, async () => {
    const h = await setUp({ overlap: 'queue' });
    const base = Date.parse(SLOT);
    for (let i = 0; i <= QUEUE_CAP + 1; i++) h.fire('s', base + i * 60_000);
    const skips = h.entries().filter((e) => e.type === 'skip');
    assert.deepEqual(skips.map((e) => e.reason), ['queue-full']);
    assert.equal(skips[0]!.slot, new Date(base + (QUEUE_CAP + 1) * 60_000).toISOString());
  });
});

function waitForDependency(h: ClockHost, status: 'ok' | 'down'): Promise<void> {
  return new Promise((resolve) => {
    // Already there (the first probes may settle before the test listens).
    if (h.host.dependencyHealth().network?.status === status) return resolve();
    const on = (t: { dependency: string; status: string }) => {
      if (t.dependency !== 'network' || t.status !== status) return;
      h.host.off('dependency', on);
      resolve();
    };
    h.host.on('dependency', on);
  });
}
