import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import type { RaisedAlert } from '../../../main/common/alerts.ts';
import type { LedgerEnd } from '../../../main/common/types.ts';
import { AlertSource, type AlertHost } from '../../../main/core/alerts/alert-source.ts';
import { Host } from '../../../main/core/host/host.ts';
import { createMemoryLogger } from '../../../main/core/home/logger.ts';
import { FakeClock } from '../../../main/core/scheduling/clock.ts';
import { skill, snapshot } from '../../electron/fixtures.ts';
import { tempHome, waitFor, writeSkill } from '../../helpers/home.ts';

function fakeHost(neededBy: Record<string, string[]> = {}, skills: string[] = []) {
  const h = new EventEmitter() as unknown as AlertHost;
  Object.assign(h, {
    dependencyHealth: () => Object.fromEntries(Object.entries(neededBy).map(([k, v]) => [k, { neededBy: v }])),
    validSkills: () => skills.map((name) => ({ name, manifest: { enabled: true } })),
  });
  return h;
}

function setup(host = fakeHost()) {
  const clock = new FakeClock('2026-03-01T08:00:00Z');
  const src = new AlertSource({ hostName: 'mac-mini', clock });
  const raised: RaisedAlert[] = [];
  src.on('alert', (a) => raised.push(a));
  src.attach(host);
  return { src, raised, clock, host };
}

const end = (skillName: string, outcome: LedgerEnd['outcome'], attempt = 1): { entry: LedgerEnd; fields: Record<string, string> } => ({
  entry: {
    type: 'end', run_id: `r-${attempt}`, skill: skillName, slot: '2026-03-01T08:00:00.000Z', trigger: 'schedule',
    attempt, started_at: '', ended_at: '', duration_ms: 5, outcome, exit_code: 1, signal: null,
    ...(outcome === 'success' ? {} : { error: 'boom' }),
  },
  fields: {},
});

describe('the alert stream', () => {
  it('tells when a layer fails and when it recovers, not while it is merely restarting', () => {
    const { src, raised } = setup();
    src.onReport(snapshot());
    src.onReport(snapshot({ gateway: 'restarting' }));
    assert.equal(raised.length, 0);
    src.onReport(snapshot({ gateway: 'failed' }));
    src.onReport(snapshot());
    assert.deepEqual(raised.map((a) => [a.event, a.title]), [['layer-failed', 'Gateway Core is down'], [
      'layer-recovered', 'Gateway Core recovered',
    ]]);
    assert.match(raised[0]!.message, /Skills keep running/);
    assert.deepEqual(raised.map((a) => a.seq), [1, 2]);
    assert.equal(raised[0]!.host, 'mac-mini');
  });

  it('tells a failing skill once its final outcome is known (not each attempt), and its recovery with the run that recovered', () => {
    const { src, raised, host } = setup();
    src.onReport(snapshot({}, [skill('poster')]));
    host.emit('run-end', end('poster', 'failure', 1)); // a retry follows: no final outcome yet
    host.emit('run-final', end('poster', 'failure', 2));
    host.emit('run-final', end('poster', 'success', 3));
    host.emit('run-final', end('poster', 'success', 4));
    assert.deepEqual(raised.map((a) => a.event), ['skill-failing', 'skill-recovered']);
    assert.deepEqual({
      skill: raised[0]!.skill, outcome: raised[0]!.outcome, runId: raised[0]!.runId, slot: raised[0]!.slot,
    }, { skill: 'poster', outcome: 'failure', runId: 'r-2', slot: '2026-03-01T08:00:00.000Z' });
    assert.match(raised[0]!.message, /failure: boom after 2 attempts/);
    assert.equal(raised[1]!.runId, 'r-3');
  });

  it('tells a late skill once, and its recovery when its run succeeds', () => {
    const { src, raised, host } = setup();
    src.onReport(snapshot({}, [skill('poster')]));
    src.onReport(snapshot({}, [skill('poster', { state: 'late', reason: '1 slot past its time' })]));
    src.onReport(snapshot({}, [skill('poster', { state: 'late', reason: '1 slot past its time' })]));
    host.emit('run-final', end('poster', 'success'));
    assert.deepEqual(raised.map((a) => a.title), ['poster is late', 'poster recovered']);
  });

  it('a network partition is one alert when it starts and one when it ends with how many skills caught up', () => {
    const { raised, host } = setup(fakeHost({ network: ['poster', 'digest'] }, ['poster', 'digest', 'backup']));
    host.emit('dependency', { dependency: 'network', status: 'down', at: '', reason: 'tcp://127.0.0.1:9: connection refused' });
    host.emit('dependency', { dependency: 'network', status: 'ok', at: '', reason: 'answered', caughtUp: 2 });
    assert.deepEqual(raised.map((a) => [a.event, a.title]), [[
      'dependency-down', 'Network partition',
    ], ['dependency-up', 'Network is back']]);
    assert.match(raised[0]!.message, /waiting: poster, digest; still running: backup/);
    assert.match(raised[1]!.message, /2 skills caught up/);
    assert.equal(raised[1]!.ending, true);
  });

  it('says once that the disk is full, not again while it stays full, and once that space is back', () => {
    const { src, raised } = setup();
    const disk = (status: 'ok' | 'runs-failing') => ({
      ...snapshot(),
      storage: { status, path: status === 'ok' ? null : '/h/runs', reason: status === 'ok' ? '' : 'disk full: /h/runs', since: '' },
    });
    src.onReport(disk('ok'));
    src.onReport(disk('runs-failing'));
    src.onReport(disk('runs-failing'));
    src.onReport(disk('ok'));
    assert.deepEqual(raised.map((a) => a.event), ['disk-full', 'disk-ok']);
  });

  it('tells a tripped breaker, and a spent day budget once a day however many slots it skips', () => {
    const { raised, host } = setup();
    host.emit('breaker', { skill: 'poster', state: 'open', until: '2026-03-01T08:05:00.000Z' });
    host.emit('breaker', { skill: 'poster', state: 'half-open', until: null });
    for (const at of [
      '2026-03-01T09:00:00Z', '2026-03-01T10:00:00Z', '2026-03-02T09:00:00Z',
    ]) host.emit('skip', { type: 'skip', skill: 'digest', slot: at, reason: 'budget', at });
    assert.deepEqual(raised.map((a) => `${a.event} ${a.skill}`), ['breaker-tripped poster', 'budget-spent digest', 'budget-spent digest']);
  });

  it('a real host: a skill that fails its retry too raises one skill-failing, after the last attempt', async () => {
    const t = tempHome();
    writeSkill(t.home, 'flaky-feed', { schedule: '0 * * * *', retries: { max: 1, backoffSeconds: 0.05 } }, 'throws.mjs');
    const host = new Host({ home: t.home, bundledSkillsDir: null, logger: createMemoryLogger(), useTrigger: false });
    const src = new AlertSource({ hostName: 'mac-mini', clock: new FakeClock('2026-03-01T08:00:00Z') });
    const raised: RaisedAlert[] = [];
    src.on('alert', (a) => raised.push(a));
    src.attach(host);
    const ends: string[] = [];
    host.on('run-end', (e) => ends.push(e.entry.outcome));
    await host.start();
    try {
      host.dispatch({ skill: 'flaky-feed', slot: '2026-03-01T08:00:00.000Z', trigger: 'schedule', attempt: 1, queue: true });
      await waitFor('two attempts', () => ends.length === 2 && raised.length === 1);
      await host.idle();
      assert.deepEqual(raised.map((a) => [a.event, a.skill, a.outcome]), [['skill-failing', 'flaky-feed', 'failure']]);
      assert.match(raised[0]!.message, /after 2 attempts/);
    } finally {
      await host.stop(true);
      t.cleanup();
    }
  });
});
