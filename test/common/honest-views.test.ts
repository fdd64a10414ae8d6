// Issue #17, "honest in every state": each state that used to mislead, composed once and rendered
// by every view as a person reads it (CLI text, status --json, /health, the dashboard's view
// model, the tray, the alerts the notifier and the channels show), as
// test/common/health-views.test.ts does.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  COLOR_ICON, nextRunWords, runColor, runWords, skillBadge, skillColor, withLiveness, type LayerHealth,
} from '../../main/common/health.js';
import type { HealthReport, Snapshot, SkillView } from '../../main/common/layer-protocol.ts';
import type { LedgerEnd } from '../../main/common/types.ts';
import { formatTime, relativeTime } from '../../main/common/time-words.js';
import { terminalLine } from '../../main/cli/format.ts';
import { renderStatusText } from '../../main/cli/status-view.ts';
import { composeHealth, skillView, type SkillFacts } from '../../main/core/health/health-composer.ts';
import { homePaths } from '../../main/core/home/paths.ts';
import { createMemoryLogger } from '../../main/core/home/logger.ts';
import { publicHealth } from '../../main/core/layers/gateway/gateway-app.ts';
import { Ledger } from '../../main/core/runs/ledger.ts';
import { validateSkills } from '../../main/core/skills/skill-validation.ts';
import { healthEvents } from '../../main/core/alerts/health-events.ts';
import { AlertSource } from '../../main/core/alerts/alert-source.ts';
import { FakeClock } from '../../main/core/scheduling/clock.ts';
import { trayMenu, trayView } from '../../main/electron/tray-model.ts';
import { effectiveState, timelineData } from '../../renderer/view-model.js';
import { snapshot } from '../electron/fixtures.ts';
import { tempHome, writeSkill } from '../helpers/home.ts';

const NOW = Date.parse('2026-12-05T08:00:00.000Z');
const ok = (at = '2026-12-05T07:00:00.000Z'): LayerHealth => ({ status: 'ok', since: at, reason: '' });

/** Every view of one report, as text a person reads. */
function views(r: HealthReport, prev: Snapshot = snapshot()) {
  const snap: Snapshot = { ...snapshot(), ...r, host: { ...r.host, layerPids: { gateway: 2, session: 3 } } };
  // What the host's one alert stream raises between the two reports (alerts/health-events.ts):
  // what the native notifier shows and the channels deliver.
  const shown = healthEvents(prev, snap).map((d) => ({ title: d.title, body: d.message }));
  return {
    snap,
    text: renderStatusText(r, NOW).map((l) => terminalLine(l, false)).join('\n'),
    json: JSON.parse(JSON.stringify(r)) as HealthReport,
    pub: publicHealth(snap),
    dash: effectiveState(snap, { gateway: true, session: true }, 0, Date.parse(r.generatedAt)) as Snapshot,
    tray: trayView(snap),
    menu: JSON.stringify(trayMenu(snap, { loginItem: 'disabled' })),
    notices: shown,
  };
}

/** Skills from real skill.json files, through the one validation, composed as the host does. */
function compose(
  home: string, facts: (name: string) => Partial<SkillFacts> = () => ({}), ends: LedgerEnd[] = [],
  storage?: HealthReport['storage'] & { since: string },
): HealthReport {
  const paths = homePaths(home);
  mkdirSync(paths.runs, { recursive: true });
  const ledger = new Ledger(paths.runs, createMemoryLogger());
  ledger.load();
  for (const e of ends) ledger.recordEnd(e);
  const skills = validateSkills(paths, null, {}).skills.map(
    (s) => skillView(s, ledger, NOW, { paused: false, hostAlive: true, deferredOn: [], breaker: null, ...facts(s.name) }, undefined, null),
  );
  return composeHealth({
    now: NOW,
    host: { alive: true, pid: 42, startedAt: '2026-12-05T07:00:00.000Z', lastAlive: new Date(NOW).toISOString() },
    layers: { session: ok(), gateway: ok() }, dependencies: {}, skills,
    ...(storage ? { storage: { ...storage, path: storage.path ?? null } } : {}),
  });
}

function end(skill: string, extra: Partial<LedgerEnd> = {}): LedgerEnd {
  return {
    type: 'end', run_id: `r-${skill}`, skill, slot: '2026-12-05T07:00:00.000Z', trigger: 'schedule', attempt: 1,
    started_at: '2026-12-05T07:00:00.000Z', ended_at: '2026-12-05T07:00:01.000Z', duration_ms: 1000, outcome: 'success',
    exit_code: 0, signal: null, ...extra,
  };
}

describe('honest in every state (#17)', () => {
  it('two invalid skills (schema errors; an unknown need) make every view degraded and name them with why, visible without hovering', () => {
    const t = tempHome();
    try {
      writeSkill(t.home, 'fine', { schedule: '0 7 * * *' }, 'ok.mjs');
      writeSkill(t.home, 'broken', { schedule: 'every day', timeoutSeconds: -1 }, 'ok.mjs');
      writeSkill(t.home, 'needy', { schedule: '0 7 * * *', needs: ['nas'] }, 'ok.mjs');
      const r = compose(t.home, () => ({}), [end('fine')]);
      const v = views(r);
      assert.equal(r.mode, 'degraded');
      assert.equal(r.layers.runtime.status, 'ok');
      assert.match(r.scenario!.title, /^2 skills invalid: broken — .*schedule: .*; needy — needs: unknown dependency "nas"/);
      assert.match(v.text, /^● DEGRADED — 2 skills invalid: broken — /);
      assert.doesNotMatch(v.text, /OPERATIONAL|All systems operational/);
      assert.equal(v.json.mode, 'degraded');
      assert.equal(v.pub.status, 'degraded');
      assert.equal(v.dash.mode, 'degraded');
      assert.equal(v.dash.scenario?.title, r.scenario!.title);
      assert.equal(v.tray.icon, 'degraded');
      assert.ok(v.tray.tooltip.includes('needs: unknown dependency "nas"'), v.tray.tooltip);
      assert.ok(v.menu.includes('unknown dependency'), 'the tray menu shows why, no hover needed');
      assert.deepEqual(v.notices.map((n) => n.title).sort(), ['broken is invalid', 'needy is invalid']);
      assert.match(v.notices.find((n) => n.title === 'needy is invalid')!.body, /unknown dependency "nas"/);
    } finally {
      t.cleanup();
    }
  });

  it('a full disk under a live host is "Disk full" with the free space in every view, never "the host is not responding", and stays so as the snapshot ages within liveness', () => {
    const storage = {
      status: 'runs-failing' as const, path: '/h/runs',
      reason: 'disk full: /h/runs — 0 bytes free on the file system of /h; runs cannot be recorded, so none start',
      since: '2026-12-05T07:59:00.000Z',
    };
    const t = tempHome();
    try {
      writeSkill(t.home, 'chatty', { schedule: '* * * * * *' }, 'chatty.mjs');
      const r = compose(
        t.home, () => ({}),
        [end('chatty', { slot: '2026-12-05T07:59:59.000Z', started_at: '2026-12-05T07:59:59.000Z', ended_at: '2026-12-05T07:59:59.500Z' })],
        storage,
      );
      const v = views(r);
      assert.equal(r.mode, 'down', 'runs cannot start: skills really are not running');
      assert.equal(r.scenario?.id, 'storage');
      assert.equal(r.scenario?.title, 'Disk full');
      for (const words of [v.text, JSON.stringify(v.json), JSON.stringify(v.dash.scenario), v.tray.tooltip, JSON.stringify(v.notices)]) {
        assert.match(words, /0 bytes free on the file system of \/h; runs cannot be recorded, so none start/);
        assert.doesNotMatch(words, /not responding|not running|is down/);
      }
      assert.equal(v.pub.scenario, 'storage');
      assert.deepEqual(v.notices.map((n) => n.title), ['Disk full: skills are not starting']);
      assert.match(v.text, /^● DOWN — Disk full: disk full: \/h\/runs — 0 bytes free/);
      assert.equal(withLiveness(r, NOW + 2000).scenario?.id, 'storage');
      // No slot starts while run starts cannot be written: no "next run in 1s".
      assert.deepEqual([r.skills[0]!.nextRun, r.skills[0]!.nextRunReason], [null, 'when the disk has space again']);
      assert.match(v.text, /^chatty\s.*when the disk has space again/m);
    } finally {
      t.cleanup();
    }
  });

  it('a view that cannot know a layer says unknown (grey), never failed, and never "operational" either', () => {
    const u: LayerHealth = { status: 'unknown', since: '2026-12-05T07:00:00.000Z', reason: 'no host answers, so nobody knows' };
    const r = composeHealth({
      now: NOW, host: { alive: true, pid: 1, startedAt: null, lastAlive: null }, layers: { session: u, gateway: u },
      dependencies: {}, skills: [],
    });
    const v = views(r);
    assert.equal(r.mode, 'degraded');
    assert.equal(r.scenario?.title, 'Gateway Core and Session Layer: state unknown');
    assert.match(v.text, /^gateway\s+unknown\s/m);
    assert.doesNotMatch(v.text, /failed|Down|OPERATIONAL/);
    assert.ok(v.menu.includes('⚪ Gateway Core: unknown'), v.menu);
    assert.deepEqual(v.notices, []);
  });

  it('next run is the next slot that will start, with why: tripped → after cool-down; paused → paused; day budget spent → the next local day; dependency → when it is back', () => {
    const t = tempHome();
    try {
      for (const n of ['tripped', 'paused', 'spent', 'waiting', 'plain']) writeSkill(
        t.home, n,
        { schedule: '*/10 * * * * *', timezone: 'Europe/Paris', ...(n === 'waiting' ? { needs: ['network'] } : {}) },
        'ok.mjs',
      );
      const until = '2026-12-05T08:36:40.444Z';
      const r = compose(t.home, (n) => ({
        ...(n === 'tripped' ? { breaker: { state: 'open' as const, until, failures: 5 } } : {}),
        ...(n === 'paused' ? { paused: true } : {}),
        ...(n === 'spent' ? { tokens: { days: [], today: 500, tokensPerDay: 500 } } : {}),
        ...(n === 'waiting' ? { deferredOn: ['network'] } : {}),
      }), ['tripped', 'paused', 'spent', 'waiting', 'plain'].map((n) => end(n)));
      const by = new Map(r.skills.map((s) => [s.name, s]));
      assert.deepEqual([by.get('tripped')!.nextRun, by.get('tripped')!.nextRunReason], ['2026-12-05T08:36:50.000Z', 'after cool-down']);
      assert.deepEqual([by.get('paused')!.nextRun, by.get('paused')!.nextRunReason], [null, 'paused']);
      // Paris midnight after 09:00 local on 5 Dec is 2026-12-05T23:00Z.
      assert.deepEqual([by.get('spent')!.nextRun, by.get('spent')!.nextRunReason], ['2026-12-05T23:00:00.000Z', 'day budget spent']);
      assert.deepEqual([by.get('waiting')!.nextRun, by.get('waiting')!.nextRunReason], [null, 'when network is back']);
      assert.deepEqual([by.get('plain')!.nextRun, by.get('plain')!.nextRunReason], ['2026-12-05T08:00:10.000Z', null]);
      const text = views(r).text;
      const row = (n: string) => text.split('\n').find((l) => l.startsWith(`${n} `)) ?? '';
      assert.match(row('tripped'), /09:36:?\d* Europe\/Paris — after cool-down|09:36 Europe\/Paris — after cool-down/);
      assert.match(row('spent'), /tomorrow 00:00 Europe\/Paris — day budget spent/);
      assert.match(row('paused'), / paused /);
      assert.doesNotMatch(row('tripped'), /in \d+s/);
      assert.match(row('plain'), /in 10s/);
      const words = (s: SkillView) => nextRunWords(
        s, (iso) => formatTime(iso, { zone: s.timezone, now: NOW, viewer: 'UTC' }), (iso) => relativeTime(iso, NOW),
      );
      assert.equal(words(by.get('tripped')!), '09:36 Europe/Paris — after cool-down');
      assert.equal(
        skillBadge(by.get('tripped')!, (iso) => formatTime(iso, { zone: 'Europe/Paris', now: NOW, viewer: 'UTC' })),
        'tripped until 09:36 Europe/Paris',
      );
      assert.match(by.get('tripped')!.reason, /until 09:36/);
      assert.doesNotMatch(JSON.stringify(by.get('tripped')!.reason), /T08:36:40/);
    } finally {
      t.cleanup();
    }
  });

  it('a run that produced its output but could not deliver it is failing, and says so in every view', () => {
    const t = tempHome();
    try {
      writeSkill(t.home, 'digest', { schedule: '0 7 * * *' }, 'ok.mjs');
      writeSkill(t.home, 'other', { schedule: '0 7 * * *' }, 'ok.mjs');
      const delivery = { status: 'failed' as const, error: 'getaddrinfo ENOTFOUND hooks.example' };
      const prev = snapshot({}, [{ ...compose(t.home, () => ({}), [end('digest'), end('other')]).skills[0]! }]);
      const r = compose(t.home, () => ({}), [end('digest', { delivery }), end('other')]);
      const s = r.skills.find((k) => k.name === 'digest')!;
      assert.equal(s.state, 'failing');
      assert.match(s.reason, /not delivered: getaddrinfo ENOTFOUND/);
      const v = views(r, prev);
      assert.equal(r.mode, 'degraded');
      assert.match(v.text, /^digest\s+failing\s.*success, not delivered: getaddrinfo ENOTFOUND/m);
      assert.equal(runColor(s.lastRun!), 'red');
      assert.equal(runWords(s.lastRun!), 'success, not delivered: getaddrinfo ENOTFOUND hooks.example');
      assert.ok(v.menu.includes('Last run: success, not delivered'), v.menu);
      // The run's end reaches the one alert stream (notifier and channels) as failing, not success.
      const source = new AlertSource({ hostName: 'mini', clock: new FakeClock(new Date(NOW).toISOString()) });
      const raised: { title: string; message: string }[] = [];
      source.on('alert', (a) => raised.push(a));
      const host = Object.assign(new EventEmitter(), { dependencyHealth: () => ({}), validSkills: () => [] });
      source.attach(host as unknown as Parameters<AlertSource['attach']>[0]);
      host.emit('run-final', { entry: end('digest', { delivery }) });
      assert.ok(raised.some((n) => n.title === 'digest is failing' && /not delivered/.test(n.message)), JSON.stringify(raised));
      assert.equal(v.pub.status, 'degraded');
    } finally {
      t.cleanup();
    }
  });

  it('times are written one way, with the zone only when it is not the viewer\'s, and no time is never "20792d ago"', () => {
    const now = Date.parse('2026-12-05T10:00:00.000Z');
    assert.equal(formatTime('2026-12-05T15:00:00.000Z', { zone: 'America/Los_Angeles', now, viewer: 'UTC' }), '07:00 America/Los_Angeles');
    assert.equal(formatTime('2026-12-05T15:00:00.000Z', { now, viewer: 'UTC' }), '15:00');
    assert.equal(formatTime('2026-12-06T00:00:00.000Z', { now, viewer: 'UTC' }), 'tomorrow 00:00');
    assert.equal(formatTime('2026-12-09T09:30:00.000Z', { now, viewer: 'UTC' }), 'Wed 9 Dec 09:30');
    assert.equal(formatTime(new Date(0).toISOString(), { now }), '—');
    assert.equal(relativeTime(new Date(0).toISOString(), now), '—');
    assert.equal(relativeTime('', now), '—');
    assert.equal(relativeTime(new Date(now + 400).toISOString(), now), 'in 1s', 'a slot still ahead is never "0s ago"');
    assert.equal(relativeTime(new Date(now - 400).toISOString(), now), '0s ago');
  });

  it('a skill that never ran is neutral (grey ○), never a green check', () => {
    assert.equal(skillColor('pending'), 'grey');
    assert.equal(COLOR_ICON[skillColor('pending')], '○');
    const r = composeHealth({
      now: NOW, host: { alive: true, pid: 1, startedAt: null, lastAlive: null },
      layers: { session: ok(), gateway: ok() }, dependencies: {},
      skills: [{ ...snapshot().skills[0]!, state: 'pending', reason: 'no run yet', lastRun: null }],
    });
    assert.equal(r.mode, 'operational');
    assert.ok(views(r).menu.includes('· daily-memory (pending)'), 'the tray says pending too');
  });

  it('the 24-hour timeline draws nothing before a host 31 s old started (only what the files know)', () => {
    const now = Date.parse('2026-12-05T12:00:00.000Z');
    const snap = {
      ...snapshot(), host: { ...snapshot().host, startedAt: new Date(now - 31_000).toISOString() },
      transitions: [{ layer: 'gateway', status: 'ok', at: new Date(now - 30_000).toISOString(), reason: '' }],
    };
    const [xs, runtime, gateway] = timelineData(snap, now);
    const before = xs!.map((x, i) => [x!, i] as const).filter(([x]) => x * 1000 < now - 31_000).map(([, i]) => i);
    assert.ok(before.length > 0);
    for (const i of before) {
      assert.equal(runtime![i], null, 'runtime not drawn before the host started');
      assert.equal(gateway![i], null, 'gateway not drawn before the host started');
    }
    assert.equal(runtime![xs!.length - 1], 1, 'drawn ok since the host started');
  });
});
