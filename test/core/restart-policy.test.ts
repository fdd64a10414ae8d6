import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideRestart, type Departure } from '../../main/core/supervision/restart-policy.ts';

const O = { firstBackoffMs: 100, maxBackoffMs: 5000, stableMs: 5000 };
const killed: Departure = { wasReady: true, upMs: 300, signal: 'SIGKILL', fatal: false, crashes: 0 };

describe('restart policy: a kill from outside restarts at once, a crash loop backs off', () => {
  it('restarts a layer killed by a signal after it was ready at once, however often it happens', () => {
    let crashes = 0;
    for (let i = 0; i < 50; i++) {
      const d = decideRestart({ ...killed, upMs: 10, crashes }, O);
      assert.equal(d.delayMs, 0);
      assert.equal(d.crashLoop, false);
      crashes = d.crashes;
    }
    assert.equal(crashes, 0);
  });

  it('backs off a layer whose port another program holds up to once a minute, not every 5 s forever', () => {
    let crashes = 0;
    const delays: number[] = [];
    for (let i = 0; i < 12; i++) {
      const d = decideRestart({ wasReady: false, upMs: 0, signal: null, fatal: true, crashes }, O);
      delays.push(d.delayMs);
      crashes = d.crashes;
    }
    assert.deepEqual(delays, [100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600, 51200, 60000, 60000]);
  });

  it('backs off a layer that exits with an error code: 100, 200, 400 ms … capped at 5 s', () => {
    let crashes = 0;
    const delays: number[] = [];
    for (let i = 0; i < 8; i++) {
      const d = decideRestart({ wasReady: true, upMs: 50, signal: null, fatal: false, crashes }, O);
      assert.equal(d.crashLoop, true);
      delays.push(d.delayMs);
      crashes = d.crashes;
    }
    assert.deepEqual(delays, [100, 200, 400, 800, 1600, 3200, 5000, 5000]);
  });

  it('backs off a layer that dies before it was ever ready, even by a signal', () => {
    const first = decideRestart({ wasReady: false, upMs: 0, signal: 'SIGKILL', fatal: false, crashes: 0 }, O);
    const second = decideRestart({ wasReady: false, upMs: 0, signal: 'SIGKILL', fatal: false, crashes: first.crashes }, O);
    assert.deepEqual([first.delayMs, second.delayMs], [100, 200]);
  });

  it('treats a layer that said why it cannot run (fatal) as a crash loop whatever ended it', () => {
    assert.equal(decideRestart({ ...killed, fatal: true }, O).crashLoop, true);
  });

  it('starts the count over for a layer that served longer than the stable period before it crashed', () => {
    const d = decideRestart({ wasReady: true, upMs: 6000, signal: null, fatal: false, crashes: 6 }, O);
    assert.equal(d.delayMs, 100);
    assert.equal(d.crashes, 1);
  });
});
