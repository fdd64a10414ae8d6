import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ago, applyEvent, effectiveState, rebase, relative, timelineData } from '../../renderer/view-model.js';
import { skill, snapshot } from '../electron/fixtures.ts';

const runEnd = (name: string, endedAt: string, outcome = 'success') => ({
  kind: 'run-end', data: { skill: name, run_id: `r-${endedAt}`, ended_at: endedAt, duration_ms: 5, outcome },
});

describe('dashboard view model (renderer/view-model.js)', () => {
  it('a gateway the browser cannot reach is down whatever the last snapshot said, and the mode follows', () => {
    const s = effectiveState(snapshot(), { gateway: false, session: true }, Date.parse('2026-01-01T00:00:05Z'));
    assert.equal(s.layers.gateway.status, 'failed');
    assert.equal(s.mode, 'degraded');
    assert.equal(s.scenario.id, 'gateway-down');
  });

  it('a session connection that was open and dropped shows the session layer down at once', () => {
    const at = Date.parse(snapshot().generatedAt);
    assert.equal(
      effectiveState(snapshot(), { gateway: true, session: false, sessionSeen: true }, 0, at).scenario.id,
      'websocket-disconnect',
    );
    assert.equal(
      effectiveState(snapshot(), { gateway: true, session: false }, 0, at).mode, 'operational',
      'not yet connected is not a failure',
    );
  });

  it('a snapshot the host stopped refreshing says the runtime is not responding after 5 s, and only while its source answers', () => {
    const at = Date.parse(snapshot().generatedAt);
    assert.equal(effectiveState(snapshot(), { gateway: true, session: true }, 0, at + 4000).mode, 'operational');
    const stale = effectiveState(snapshot(), { gateway: true, session: true }, 0, at + 6000);
    assert.equal(stale.mode, 'down');
    assert.equal(stale.layers.runtime.status, 'failed');
    assert.match(stale.layers.runtime.reason, /not responding/);
    // An unreachable gateway is the gateway's failure, not a frozen host.
    assert.equal(effectiveState(snapshot(), { gateway: false, session: true }, at, at + 60_000).layers.runtime.status, 'ok');
  });

  it('live events update runs between snapshots, and never the layer states (those come from the host snapshot only)', () => {
    let s = snapshot({}, [skill('poster', { runs: 1, recent: [] })]);
    s = applyEvent(s, runEnd('poster', '2026-01-01T00:01:00.000Z', 'failure'));
    assert.equal(s.skills[0]!.runs, 2);
    assert.equal(s.skills[0]!.lastRun!.outcome, 'failure');
    s = applyEvent(s, {
      kind: 'layer', data: { layer: 'gateway', status: 'restarting', at: '2026-01-01T00:01:01.000Z', reason: 'killed' },
    });
    assert.equal(s.layers.gateway.status, 'ok', 'a layer event does not change the layer tiles');
  });

  it('a run that ends between snapshots moves the run-decided states of a skill (pending, ok, failing), and leaves the others to the snapshot', () => {
    let s = snapshot({}, [
      skill('fresh', { state: 'pending', reason: 'no run yet', runs: 0, recent: [] }),
      skill('held', { state: 'paused', reason: 'paused by the user', runs: 0, recent: [] }),
    ]);
    s = applyEvent(s, runEnd('fresh', '2026-01-01T00:01:00.000Z'));
    assert.deepEqual([s.skills[0]!.state, s.skills[0]!.reason], ['ok', '']);
    s = applyEvent(s, {
      kind: 'run-end',
      data: { ...runEnd('fresh', '2026-01-01T00:01:01.000Z', 'upstream-failure').data, error: '429 rate limited' },
    });
    assert.deepEqual([s.skills[0]!.state, s.skills[0]!.reason], ['failing', 'last run provider failed: 429 rate limited']);
    s = applyEvent(s, runEnd('held', '2026-01-01T00:01:02.000Z', 'failure'));
    assert.deepEqual([s.skills[1]!.state, s.skills[1]!.reason], ['paused', 'paused by the user']);
  });

  it('a snapshot older than the live events already shown never steps the view back', () => {
    const snap = { ...snapshot({}, [skill('poster', { runs: 1, recent: [] })]), generatedAt: '2026-01-01T00:01:00.000Z' };
    const events = [runEnd('poster', '2026-01-01T00:00:59.000Z'), runEnd('poster', '2026-01-01T00:01:02.000Z')];
    const s = rebase(snap, events);
    assert.equal(s.skills[0].runs, 2, 'the run that ended after the snapshot is counted once; the older one is already in it');
  });

  it('the timeline has one stepped series per layer and points for runs', () => {
    const now = Date.parse('2026-01-01T12:00:00Z');
    const snap = {
      ...snapshot({}, [skill('a', { recent: [{ outcome: 'success', endedAt: '2026-01-01T11:00:00.000Z', durationMs: 1 }] })]),
      transitions: [{
        layer: 'gateway', status: 'failed', at: '2026-01-01T10:00:00.000Z', reason: '',
      }, { layer: 'gateway', status: 'ok', at: '2026-01-01T10:00:01.000Z', reason: '' }],
    };
    const [xs, runtime, gateway, session, ok, bad] = timelineData(snap, now) as number[][];
    assert.equal(runtime!.length, xs!.length);
    assert.ok(gateway!.includes(1.5), 'gateway down at some point');
    assert.ok(gateway!.includes(2.5), 'and ok');
    assert.ok(session!.every((v) => v === 4));
    assert.equal(ok!.filter((v) => v !== null).length, 1);
    assert.equal(bad!.filter((v) => v !== null).length, 0);
  });

  it('a moment that has happened after the page\'s clock last ticked reads "0s ago", never "in 1s"', () => {
    const now = Date.parse('2026-12-05T10:00:00.000Z');
    const started = '2026-12-05T10:00:00.400Z';
    assert.equal(relative(started, now), 'in 1s', 'what a time still ahead would read');
    assert.equal(ago(started, now), '0s ago');
    assert.equal(ago('2026-12-05T09:58:00.000Z', now), '2m ago');
    assert.equal(ago(null, now), '—');
  });
});
