// The watchdog on a fake clock: it tells a sleep or a clock change (wall time moving against
// monotonic time) from time simply passing, and keeps the liveness file fresh otherwise.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { StorageMonitor } from '../../../main/core/health/storage-health.ts';
import { createMemoryLogger } from '../../../main/core/home/logger.ts';
import { Watchdog } from '../../../main/core/host/watchdog.ts';
import { FakeClock } from '../../../main/core/scheduling/clock.ts';
import { tempHome } from '../../helpers/home.ts';

describe('Watchdog on a fake clock', () => {
  let dir: { home: string; cleanup: () => void };
  let clock: FakeClock;
  let jumps: number[];
  let stateFile: string;
  const lastAlive = () => (JSON.parse(readFileSync(stateFile, 'utf8')) as { last_alive: string }).last_alive;

  function watchdog(jumpMs?: number): Watchdog {
    const log = createMemoryLogger();
    const storage = new StorageMonitor({ runsDir: dir.home, logsDir: dir.home, logger: log, clock });
    const w = new Watchdog({
      clock, log, storage, stateFile, ...(jumpMs !== undefined ? { jumpMs } : {}), periodMs: 3_600_000,
      onJump: (awakeAt) => jumps.push(awakeAt),
    });
    w.start(clock.now());
    w.stop(); // ticks by hand only
    return w;
  }

  beforeEach(() => {
    dir = tempHome('ck-watchdog-');
    stateFile = join(dir.home, '_host.json');
    clock = new FakeClock('2026-06-01T08:00:00Z');
    jumps = [];
  });
  afterEach(() => dir.cleanup());

  const cases: { name: string; move: (c: FakeClock) => void; jumpMs?: number; jump: boolean }[] = [
    { name: 'an hour awake is no jump', move: (c) => c.advance(3_600_000), jump: false },
    { name: 'a 4.9 s sleep is under the 5 s threshold', move: (c) => c.sleep(4_900), jump: false },
    { name: 'a 6 s sleep is a jump', move: (c) => c.sleep(6_000), jump: true },
    { name: 'a three-hour sleep is a jump', move: (c) => c.sleep(3 * 3_600_000), jump: true },
    { name: 'the clock set back a minute is a jump', move: (c) => c.sleep(-60_000), jump: true },
    { name: 'a 2 s sleep is a jump with jumpMs 1000', move: (c) => c.sleep(2_000), jumpMs: 1_000, jump: true },
  ];
  for (const k of cases) {
    it(k.name, () => {
      const w = watchdog(k.jumpMs);
      clock.advance(1_000);
      w.tick();
      const awake = clock.now();
      k.move(clock);
      w.tick();
      assert.deepEqual(jumps, k.jump ? [awake] : [], 'onJump gets the last moment the host was known awake');
    });
  }

  it('a tick with no jump writes the liveness file at the current wall time', () => {
    const w = watchdog();
    clock.advance(42_000);
    w.tick();
    assert.equal(lastAlive(), '2026-06-01T08:00:42.000Z');
  });

  it('after a jump the next tick compares against the new time: one sleep is reported once', () => {
    const w = watchdog();
    clock.sleep(3_600_000);
    w.tick();
    clock.advance(1_000);
    w.tick();
    w.tick();
    assert.equal(jumps.length, 1);
    assert.equal(w.lastAwake, clock.now());
  });
});
