// The circuit breaker as the state machine it is: every transition on a fake clock, the 1-hour
// cap on the cool-down included (which a real host on a per-second schedule never reaches).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { BreakerPolicy, RunOutcome } from '../../../main/common/types.ts';
import { createMemoryLogger } from '../../../main/core/home/logger.ts';
import { Breakers, COOL_DOWN_CAP_SECONDS } from '../../../main/core/runs/breaker.ts';
import { FakeClock } from '../../../main/core/scheduling/clock.ts';
import { formatTime } from '../../../main/common/time-words.js';
import { tempHome } from '../../helpers/home.ts';

const POLICY: BreakerPolicy = { failures: 3, coolDownSeconds: 300 };
const MIN = 60_000;

describe('Breakers on a fake clock', () => {
  let dir: { home: string; cleanup: () => void };
  let file: string;
  let clock: FakeClock;
  let b: Breakers;
  beforeEach(() => {
    dir = tempHome('ck-breakers-');
    file = join(dir.home, '_breakers.json');
    clock = new FakeClock('2026-03-01T10:00:00Z');
    b = new Breakers(file, createMemoryLogger());
    b.load();
  });
  afterEach(() => dir.cleanup());

  const fail = (n: number, outcome: RunOutcome = 'failure') => {
    for (let i = 0; i < n; i++) b.record('s', POLICY, outcome, false, clock.now());
  };
  const untilIn = () => (Date.parse(b.get('s').until!) - clock.now()) / 1000;

  it('stays closed below `failures` failed runs in a row, and trips at the N-th with until = now + coolDown', () => {
    fail(2);
    assert.deepEqual(b.admit('s', POLICY, clock.now()), { kind: 'run' });
    assert.equal(b.get('s').failures, 2);
    fail(1);
    assert.equal(b.get('s').state, 'open');
    assert.equal(untilIn(), 300);
  });

  const outcomes: [RunOutcome, 'counts' | 'ignored'][] = [
    ['failure', 'counts'],
    ['timeout', 'counts'],
    ['crashed', 'counts'],
    ['interrupted', 'ignored'],
    ['upstream-failure', 'ignored'],
    ['budget-exceeded', 'ignored'],
  ];
  for (const [outcome, effect] of outcomes) {
    it(`an outcome ${outcome} ${effect === 'counts' ? 'counts toward tripping' : 'neither counts nor resets the count'}`, () => {
      fail(2);
      b.record('s', POLICY, outcome, false, clock.now());
      assert.equal(b.get('s').failures, effect === 'counts' ? 3 : 2);
      assert.equal(b.get('s').state, effect === 'counts' ? 'open' : 'closed');
    });
  }

  it('a success in between starts the count over', () => {
    fail(2);
    b.record('s', POLICY, 'success', false, clock.now());
    fail(2);
    assert.equal(b.get('s').state, 'closed');
    assert.equal(b.get('s').failures, 2);
  });

  it('open: slots before the cool-down ends are skipped; the first one at or after it is the probe, and only one', () => {
    fail(3);
    clock.advance(299_999);
    const before = b.admit('s', POLICY, clock.now());
    assert.equal(before.kind, 'skip');
    // The time as every view writes one (common/time-words.js), never a raw ISO string.
    const until = formatTime('2026-03-01T10:05:00.000Z', { now: clock.now(), seconds: true });
    assert.equal(
      (before as { detail: string }).detail,
      `breaker open after 3 failed runs in a row; the next due slot after ${until} runs as a probe`,
    );
    clock.advance(1);
    assert.deepEqual(b.admit('s', POLICY, clock.now()), { kind: 'probe' });
    assert.equal(b.get('s').state, 'half-open');
    const second = b.admit('s', POLICY, clock.now(), true);
    assert.deepEqual(second, { kind: 'skip', detail: 'breaker half-open: a probe run is under way' });
    // A probe lost on the way (a restart cut it off): the next due slot probes again.
    assert.deepEqual(b.admit('s', POLICY, clock.now(), false), { kind: 'probe' });
  });

  it('a successful probe closes the breaker and forgets the failures', () => {
    fail(3);
    clock.advance(5 * MIN);
    b.admit('s', POLICY, clock.now());
    const changed = b.record('s', POLICY, 'success', true, clock.now());
    assert.deepEqual(changed, { state: 'closed', failures: 0, until: null, coolDownSeconds: null });
    assert.deepEqual(b.admit('s', POLICY, clock.now()), { kind: 'run' });
  });

  it('each failed probe doubles the cool-down, up to the 1-hour cap and no further', () => {
    fail(3);
    const seen: number[] = [untilIn()];
    for (let i = 0; i < 6; i++) {
      clock.advance(untilIn() * 1000);
      assert.equal(b.admit('s', POLICY, clock.now()).kind, 'probe');
      b.record('s', POLICY, 'failure', true, clock.now());
      seen.push(untilIn());
    }
    assert.deepEqual(seen, [300, 600, 1200, 2400, 3600, 3600, 3600]);
    assert.equal(COOL_DOWN_CAP_SECONDS, 3600);
  });

  it('a cool-down configured above an hour is capped at the hour from the first trip', () => {
    const long: BreakerPolicy = { failures: 1, coolDownSeconds: 86_400 };
    b.record('s', long, 'crashed', false, clock.now());
    assert.equal(untilIn(), 3600);
  });

  it('a manual close (resume or run by hand) closes an open breaker and says whether it was open', () => {
    fail(3);
    assert.equal(b.close('s'), true);
    assert.deepEqual(b.admit('s', POLICY, clock.now()), { kind: 'run' });
    assert.equal(b.close('s'), false);
  });

  it('breaker: false admits every slot and records nothing', () => {
    for (let i = 0; i < 10; i++) assert.equal(b.record('s', false, 'failure', false, clock.now()), null);
    assert.deepEqual(b.admit('s', false, clock.now()), { kind: 'run' });
    assert.equal(b.view('s', false), null);
  });

  it('the state survives a restart (a new Breakers on the same file), and a corrupt file reads as all closed with a warning', () => {
    fail(3);
    const again = new Breakers(file, createMemoryLogger());
    again.load();
    assert.equal(again.get('s').state, 'open');
    assert.equal(again.admit('s', POLICY, clock.now()).kind, 'skip');
    writeFileSync(file, '{not json');
    const log = createMemoryLogger();
    const broken = new Breakers(file, log);
    broken.load();
    assert.equal(broken.get('s').state, 'closed');
    assert.match(log.lines.join('\n'), /_breakers\.json: .*every breaker starts closed/);
  });
});
