import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { LoadedSkill } from '../../main/common/types.ts';
import { exportSystemd } from '../../main/core/export/systemd.ts';
import { exportKubernetes } from '../../main/core/export/kubernetes.ts';
import { skillState, skillView } from '../../main/core/health/health-composer.ts';
import { createMemoryLogger } from '../../main/core/home/logger.ts';
import { Ledger } from '../../main/core/runs/ledger.ts';
import { runOnce } from '../../main/core/runs/run-once.ts';
import { FakeClock } from '../../main/core/scheduling/clock.ts';
import { jitterMs } from '../../main/core/scheduling/slots.ts';
import { loadSkill } from '../../main/core/skills/skill-loader.ts';
import { tempHomePerTest, writeSkill } from '../helpers/home.ts';

describe('skill.json schedule fields', () => {
  const newHome = tempHomePerTest();
  const load = (manifest: Record<string, unknown>) => {
    const t = newHome();
    return loadSkill(writeSkill(t.home, 'k', { command: ['true'], ...manifest }), 'k', 'user');
  };
  const problems = (manifest: Record<string, unknown>) => load(manifest).problems.map((p) => `${p.field}: ${p.message}`);

  it('accepts exactly one of schedule, every and at, with jitter on any of them', () => {
    for (const m of [{ schedule: '*/5 * * * *', jitterSeconds: 30 }, { every: '7m' }, {
      every: '1.5h', anchor: '2026-01-01T00:00:00+01:00',
    }, { at: '2026-12-24T18:00:00+01:00', jitterSeconds: 5 }]) {
      assert.deepEqual(problems(m), [], JSON.stringify(m));
    }
    assert.equal(load({ every: '7m', jitterSeconds: 20 }).manifest?.every, '7m');
  });

  it('names each mistake with its field and what to write instead', () => {
    assert.match(
      problems({}).join('\n'),
      /schedule: is required: give exactly one of "schedule" \(cron\), "every" \(e\.g\. "7m"\) or "at"/,
    );
    assert.match(
      problems({ schedule: '* * * * *', every: '1m' }).join('\n'),
      /every: "schedule" and "every" are given: a skill has exactly one/,
    );
    assert.match(problems({ every: '7 minutes' }).join('\n'), /every: must be a number and one of s, m, h, d/);
    // One problem for one mistake (a newcomer was also told "10 parsecs" is "under one second").
    assert.deepEqual(problems({ every: '10 parsecs' }).filter((p) => p.includes('every')).length, 1);
    assert.match(problems({ every: '0.2s' }).join('\n'), /every: "0.2s" is under one second/);
    assert.match(problems({ at: '2026-12-24 18:00' }).join('\n'), /at: "2026-12-24 18:00" is not an ISO time with an offset/);
    assert.match(problems({ at: '2026-12-24T18:00:00' }).join('\n'), /at: .*with an offset/);
    assert.match(problems({ every: '1h', timezone: 'Europe/Berlin' }).join('\n'), /timezone: applies to a cron "schedule" only/);
    assert.match(problems({ schedule: '* * * * *', anchor: '2026-01-01T00:00:00Z' }).join('\n'), /anchor: applies to "every" only/);
    assert.match(problems({ every: '1h', jitterSeconds: -1 }).join('\n'), /jitterSeconds/);
  });
});

describe('states and next runs of the new kinds', () => {
  const newHome = tempHomePerTest();
  const facts = { paused: false, hostAlive: true, deferredOn: [], breaker: null };

  function setup(manifest: Record<string, unknown>) {
    const t = newHome();
    const skill = loadSkill(writeSkill(t.home, 'k', manifest, 'ok.mjs'), 'k', 'user');
    mkdirSync(join(t.home, 'runs'), { recursive: true });
    const ledger = new Ledger(join(t.home, 'runs'), createMemoryLogger());
    ledger.load();
    const ran = (slot: string, outcome: 'success' | 'failure' = 'success') => {
      ledger.recordStart({
        type: 'start', run_id: `r${slot}`, skill: 'k', slot, trigger: 'schedule', attempt: 1, started_at: slot,
        host_pid: 1,
      });
      ledger.recordEnd({
        type: 'end', run_id: `r${slot}`, skill: 'k', slot, trigger: 'schedule', attempt: 1, started_at: slot,
        ended_at: slot, duration_ms: 1, outcome, exit_code: 0, signal: null,
      });
    };
    return { t, skill, ledger, ran };
  }

  it('a one-shot is pending until its slot, then done (never late, no next run), whatever the outcome', () => {
    const { skill, ledger, ran } = setup({ at: '2026-03-01T09:00:00Z' });
    assert.equal(skillState(skill, ledger, Date.parse('2026-03-01T08:00:00Z'), facts).state, 'pending');
    assert.equal(skillView(skill, ledger, Date.parse('2026-03-01T08:00:00Z'), facts, undefined, null).nextRun, '2026-03-01T09:00:00.000Z');
    ran('2026-03-01T09:00:00.000Z', 'failure');
    const later = Date.parse('2026-06-01T00:00:00Z');
    const v = skillView(skill, ledger, later, facts, undefined, null);
    assert.deepEqual([v.state, v.nextRun, v.schedule, v.scheduleText], [
      'done', null, 'at 2026-03-01T09:00:00Z', 'Once, at 2026-03-01T09:00:00Z',
    ]);
    assert.match(v.reason, /ran: failure/);
  });

  it('late allows for the jitter: a slot is late only after its delay plus the grace', () => {
    const { skill, ledger, ran } = setup({ every: '1h', jitterSeconds: 1800 });
    ran('2026-03-01T09:00:00.000Z');
    const due = Date.parse('2026-03-01T10:00:00Z');
    const delay = jitterMs('k', due, 1800);
    assert.ok(delay > 120_000, 'this slot has a delay longer than the grace (pinned by the hash)');
    assert.equal(skillState(skill, ledger, due + 2 * 60_000 + 1, facts).state, 'ok', 'past slot + grace, inside its delay: not late');
    assert.equal(skillState(skill, ledger, due + delay + 2 * 60_000 + 1, facts).state, 'late');
    const v = skillView(skill, ledger, due - 1, facts, undefined, null);
    assert.equal(v.nextRun, new Date(due + delay).toISOString(), 'the next run is when it will start');
    assert.equal(v.scheduleText, 'Every hour, started up to 1800 s late (jitter)');
  });
});

describe('run-once --slot for every and at', () => {
  const newHome = tempHomePerTest();

  it('runs a real slot of an interval or a one-shot, and refuses any other time naming the nearest', async () => {
    const t = newHome();
    writeSkill(t.home, 'tick', { every: '15m' }, 'ok.mjs');
    writeSkill(t.home, 'once', { at: '2026-03-01T09:00:00+01:00' }, 'ok.mjs');
    const o = {
      home: t.home, bundledSkillsDir: null, trigger: 'schedule' as const, logger: createMemoryLogger(), out: () => {},
      clock: new FakeClock('2026-03-01T12:00:00Z'),
    };
    const bad = await runOnce({ ...o, skill: 'tick', slot: '2026-03-01T10:07:00Z' });
    assert.equal(bad.exitCode, 64);
    assert.match(bad.message, /not a slot of "every 15m"; the nearest are 2026-03-01T10:00:00.000Z and 2026-03-01T10:15:00.000Z/);
    assert.equal((await runOnce({ ...o, skill: 'tick', slot: '2026-03-01T10:15:00Z' })).kind, 'ran');
    assert.equal((await runOnce({ ...o, skill: 'once', slot: '2026-03-01T08:00:00Z' })).kind, 'ran', 'the same instant written in UTC');
    const again = await runOnce({ ...o, skill: 'once' });
    assert.equal(again.kind, 'refused', 'without --slot: its one slot, already in the ledger');
  });
});

describe('export of every and at', () => {
  const ctx = {
    home: '/h', node: '/usr/bin/node', bin: '/app/bin/clawkeeper.js', machineZone: 'UTC', paused: new Set<string>(),
    now: Date.parse('2026-03-01T00:00:00Z'),
  };
  const skill = (name: string, m: Record<string, unknown>): LoadedSkill => ({
    name, dir: `/h/skills/${name}`, file: `/h/skills/${name}/skill.json`, source: 'user', problems: [],
    manifest: {
      name, description: '', command: ['true'], timeoutSeconds: 60, retries: { max: 0, backoffSeconds: 30 },
      overlap: 'skip', catchUp: { mode: 'once', max: 10 }, env: {}, enabled: true, needs: [], breaker: false, ...m,
    },
  });

  it('maps an even interval exactly, an at to its UTC date, and lists what cannot map', () => {
    const r = exportSystemd(
      [
        skill('quarter', { every: '15m', anchor: '2026-01-01T00:05:00Z' }), skill('odd', { every: '7m' }),
        skill('once', { at: '2026-12-24T18:00:00+01:00', jitterSeconds: 60 }),
      ],
      ctx,
    );
    const timer = (n: string) => r.files.find((f) => f.path === `clawkeeper-${n}.timer`)?.content ?? '';
    assert.match(timer('quarter'), /OnCalendar=.*05,20,35,50:00 UTC/);
    assert.equal(timer('odd'), '');
    assert.match(
      r.notes.find((n) => n.skill === 'odd')!.note,
      /every "7m" has no calendar equivalent \(every 7 minutes does not divide an hour evenly.*\): nothing written/,
    );
    assert.match(timer('once'), /OnCalendar=.*12-24 17:00:00 UTC/);
    const notes = r.notes.filter((n) => n.skill === 'once').map((n) => n.note).join('\n');
    assert.match(notes, /a calendar has no year/);
    assert.match(notes, /jitterSeconds 60: the exported timer starts at the exact slot/);
    const k = exportKubernetes([skill('quarter', { every: '15m', anchor: '2026-01-01T00:05:00Z' })], ctx, {});
    assert.match(k.files.find((f) => f.path === 'cronjob-quarter.yaml')!.content, /schedule: 5,20,35,50 \* \* \* \*/);
  });
});
