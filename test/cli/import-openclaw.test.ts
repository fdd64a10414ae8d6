import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { importCommand } from '../../main/cli/import-openclaw.ts';
import { createMemoryLogger } from '../../main/core/home/logger.ts';
import { everyToCron } from '../../main/core/skills/openclaw-import.ts';
import { discoverSkills } from '../../main/core/skills/skill-loader.ts';
import { tempHome, writeSkill } from '../helpers/home.ts';
import { writeModels } from '../helpers/model-home.ts';

const JOBS = {
  version: 1,
  jobs: [
    { id: 'j1', name: 'Morning brief', enabled: true, createdAtMs: 0, schedule: { kind: 'cron', expr: '0 7 * * *', tz: 'America/Los_Angeles' }, sessionTarget: 'isolated', wakeMode: 'now', payload: { kind: 'agentTurn', message: 'Summarize overnight updates.', timeoutSeconds: 120 }, delivery: { mode: 'webhook', to: 'https://example.invalid/hook' } },
    { id: 'j2', name: 'Morning brief', enabled: false, schedule: { kind: 'cron', expr: '30 8 * * 1-5' }, sessionTarget: 'isolated', wakeMode: 'now', payload: { kind: 'agentTurn', message: 'Weekday brief.' }, delivery: { mode: 'announce', channel: 'slack', to: 'channel:C1' } },
    { id: 'j3', name: 'Inbox check', enabled: true, schedule: { kind: 'every', everyMs: 900_000, anchorMs: 300_000 }, sessionTarget: 'isolated', wakeMode: 'now', payload: { kind: 'agentTurn', message: 'Check the inbox.' } },
    { id: 'j4', name: 'Odd interval', enabled: true, schedule: { kind: 'every', everyMs: 420_000 }, sessionTarget: 'isolated', wakeMode: 'now', payload: { kind: 'agentTurn', message: 'x' } },
    { id: 'j5', name: 'Reminder', enabled: true, schedule: { kind: 'at', at: '2026-02-01T16:00:00Z' }, sessionTarget: 'isolated', wakeMode: 'now', payload: { kind: 'agentTurn', message: 'Remind me.' } },
    { id: 'j6', name: 'Nudge', enabled: true, schedule: { kind: 'cron', expr: '0 * * * *' }, sessionTarget: 'main', wakeMode: 'next-heartbeat', payload: { kind: 'systemEvent', text: 'Check in' } },
    { id: 'j7', name: 'News', enabled: true, schedule: { kind: 'every', everyMs: 21_600_000, anchorMs: 3_600_000 }, sessionTarget: 'isolated', wakeMode: 'now', payload: { kind: 'agentTurn', message: 'News digest.', model: 'anthropic/claude' } },
  ],
};

describe('clawkeeper import openclaw', () => {
  let cleanup = () => {};
  afterEach(() => cleanup());

  function setup() {
    const t = tempHome();
    cleanup = t.cleanup;
    mkdirSync(join(t.home, 'cron'));
    writeFileSync(join(t.home, 'cron', 'jobs.json'), JSON.stringify(JOBS));
    writeModels(t.home, { default: { baseURL: 'http://127.0.0.1:9/v1', model: 'm' } });
    // A user's own skill that happens to have a job's name: never taken over.
    writeSkill(t.home, 'news', { schedule: '0 0 * * *', command: ['true'] });
    return t.home;
  }

  function run(home: string, o: { dryRun?: boolean; force?: boolean; from?: string } = {}) {
    const lines: string[] = [];
    const code = importCommand({ env: { CLAWKEEPER_HOME: home }, out: (l) => lines.push(l), err: (l) => lines.push(`ERR ${l}`), logger: createMemoryLogger() }, 'openclaw', { dryRun: false, force: false, ...o });
    return { code, out: lines.join('\n') };
  }

  const manifest = (home: string, name: string) => JSON.parse(readFileSync(join(home, 'skills', name, 'skill.json'), 'utf8')) as Record<string, unknown>;

  it('writes a prompt skill per cron and every job, lists at and systemEvent jobs as not mapped, with reasons', () => {
    const home = setup();
    const r = run(home);
    assert.equal(r.code, 0, r.out);
    assert.deepEqual(manifest(home, 'morning-brief'), {
      name: 'morning-brief', description: 'Imported from OpenClaw job "Morning brief" (j1)', schedule: '0 7 * * *', timezone: 'America/Los_Angeles',
      prompt: 'Summarize overnight updates.', model: true, timeoutSeconds: 120, deliver: { webhook: 'https://example.invalid/hook' },
    });
    const second = manifest(home, 'morning-brief-2');
    assert.equal(second.enabled, false);
    assert.equal(second.schedule, '30 8 * * 1-5');
    assert.match(r.out, /morning-brief-2: created ← job j2[^\n]*\n\s+note: no tz[^\n]*\n\s+note: chat delivery \(announce to slack channel:C1\) not mapped/);
    assert.deepEqual([manifest(home, 'inbox-check').schedule, manifest(home, 'inbox-check').timezone], ['5,20,35,50 * * * *', 'UTC']);
    assert.equal(manifest(home, 'news-2').schedule, '0 1,7,13,19 * * *');
    assert.match(r.out, /news-2: created[^\n]*\n\s+note: model override "anthropic\/claude" not mapped/);
    assert.deepEqual(JSON.parse(JSON.stringify(manifest(home, 'news'))), { name: 'news', schedule: '0 0 * * *', command: ['true'] }, "the user's own skill is untouched");
    assert.match(r.out, /job j4 "Odd interval": every 7 minutes does not divide an hour evenly/);
    assert.match(r.out, /job j5 "Reminder": a one-shot job \(at\)/);
    assert.match(r.out, /job j6 "Nudge": a systemEvent is injected/);
    const loaded = discoverSkills(null, join(home, 'skills'));
    assert.deepEqual(loaded.filter((s) => !s.manifest).map((s) => s.problems), [], 'every imported skill is valid');
    assert.deepEqual(loaded.map((s) => s.name), ['inbox-check', 'morning-brief', 'morning-brief-2', 'news', 'news-2']);
  });

  it('is idempotent: a second import changes nothing', () => {
    const home = setup();
    run(home);
    const before = readdirSync(join(home, 'skills')).map((n) => [n, existsSync(join(home, 'skills', n, 'skill.json')) ? readFileSync(join(home, 'skills', n, 'skill.json'), 'utf8') : '']);
    const r = run(home);
    assert.match(r.out, /morning-brief: unchanged/);
    assert.doesNotMatch(r.out, /created|updated/);
    const after = readdirSync(join(home, 'skills')).map((n) => [n, existsSync(join(home, 'skills', n, 'skill.json')) ? readFileSync(join(home, 'skills', n, 'skill.json'), 'utf8') : '']);
    assert.deepEqual(after, before);
  });

  // Regression: a job named like a bundled skill replaced it (a user skill wins on a name clash).
  it('never takes a bundled skill\'s name: a job called "heartbeat" becomes heartbeat-2', () => {
    const home = setup();
    writeFileSync(join(home, 'cron', 'jobs.json'), JSON.stringify({ version: 1, jobs: [{ id: 'h1', name: 'Heartbeat', enabled: true, schedule: { kind: 'cron', expr: '*/5 * * * *' }, sessionTarget: 'isolated', wakeMode: 'now', payload: { kind: 'agentTurn', message: 'ping' } }] }));
    const r = run(home);
    assert.equal(r.code, 0, r.out);
    assert.equal(existsSync(join(home, 'skills', 'heartbeat')), false, 'the bundled heartbeat is left alone');
    assert.equal(manifest(home, 'heartbeat-2').name, 'heartbeat-2');
  });

  it('never overwrites a changed skill without --force', () => {
    const home = setup();
    run(home);
    const jobs = structuredClone(JOBS);
    jobs.jobs[0]!.payload.message = 'A new prompt.';
    writeFileSync(join(home, 'cron', 'jobs.json'), JSON.stringify(jobs));
    const kept = run(home);
    assert.match(kept.out, /morning-brief: kept as it is: the job changed since it was imported; --force rewrites it/);
    assert.equal(manifest(home, 'morning-brief').prompt, 'Summarize overnight updates.');
    const forced = run(home, { force: true });
    assert.match(forced.out, /morning-brief: updated \(--force\)/);
    assert.equal(manifest(home, 'morning-brief').prompt, 'A new prompt.');
  });

  it('--dry-run lists the plan and writes nothing; a missing file is a clear error', () => {
    const home = setup();
    const r = run(home, { dryRun: true });
    assert.match(r.out, /dry run: would import/);
    assert.match(r.out, /morning-brief: would be created/);
    assert.ok(!existsSync(join(home, 'skills', 'morning-brief')));
    const missing = run(home, { from: join(home, 'nope.json') });
    assert.equal(missing.code, 1);
    assert.match(missing.out, /cannot read .*nope\.json/);
  });

  it('maps intervals that divide the minute, hour or day in UTC, and refuses the rest', () => {
    assert.deepEqual(everyToCron(60_000, 0), { cron: '* * * * *' });
    assert.deepEqual(everyToCron(10_000, 0), { cron: '0,10,20,30,40,50 * * * * *' });
    assert.deepEqual(everyToCron(3_600_000, 1_800_000), { cron: '30 * * * *' });
    assert.deepEqual(everyToCron(86_400_000, 7 * 3_600_000 + 15 * 60_000), { cron: '15 7 * * *' });
    assert.match((everyToCron(5 * 3_600_000, 0) as { reason: string }).reason, /5 hours does not divide a day/);
    assert.match((everyToCron(2 * 86_400_000, 0) as { reason: string }).reason, /every 2 days/);
    assert.match((everyToCron(90_500, 0) as { reason: string }).reason, /not in whole minutes/);
  });
});
