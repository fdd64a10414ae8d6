import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, it } from 'node:test';
import { importCommand } from '../../main/cli/import-openclaw.ts';
import { createMemoryLogger } from '../../main/core/home/logger.ts';
import { discoverSkills } from '../../main/core/skills/skill-loader.ts';
import { tempHomePerTest, writeSkill } from '../helpers/home.ts';
import { writeModels } from '../helpers/model-home.ts';
import { cronJob, writeColumnStore, writeJsonStore, writeSqliteStore, type Job } from '../helpers/openclaw-store.ts';

const JOBS: Job[] = [
  cronJob('j1', 'Morning brief', {
    schedule: { kind: 'cron', expr: '0 7 * * *', tz: 'America/Los_Angeles', staggerMs: 30_000 },
    payload: {
      kind: 'agentTurn', message: 'Summarize overnight updates.', timeoutSeconds: 120, thinking: 'high',
      fallbacks: ['openai/gpt-5'],
    },
    delivery: { mode: 'webhook', to: 'https://example.invalid/hook' },
  }),
  cronJob('j2', 'Morning brief', {
    enabled: false, schedule: { kind: 'cron', expr: '30 8 * * 1-5' },
    delivery: { mode: 'announce', channel: 'slack', to: 'channel:C1' },
  }),
  cronJob('j3', 'Inbox check', {
    schedule: { kind: 'every', everyMs: 420_000, anchorMs: 300_000 },
    payload: { kind: 'agentTurn', message: 'Check the inbox.', model: 'anthropic/claude-sonnet' },
  }),
  cronJob('j5', 'Reminder', { schedule: { kind: 'at', at: '2026-02-01T16:00:00Z' }, deleteAfterRun: true }),
  cronJob('j6', 'Nudge', { sessionTarget: 'main', payload: { kind: 'systemEvent', text: 'Check in' } }),
  cronJob('j7', 'Backup', {
    schedule: { kind: 'every', everyMs: 86_400_000 },
    payload: {
      kind: 'command', argv: ['tar', 'czf', '/tmp/b.tgz', '.'], cwd: '/srv', env: { LEVEL: '9' }, input: 'y',
      timeoutSeconds: 600, outputMaxBytes: 4096,
    },
  }),
];

describe('clawkeeper import openclaw', () => {
  const newHome = tempHomePerTest();

  function setup(store: 'sqlite' | 'json' | 'both' = 'sqlite', jobs = JOBS) {
    const t = newHome();
    if (store !== 'json') writeSqliteStore(t.home, jobs);
    if (store !== 'sqlite') writeJsonStore(t.home, store === 'both' ? [cronJob('old', 'Stale JSON job')] : jobs);
    writeModels(t.home, {
      default: { baseURL: 'http://127.0.0.1:9/v1', model: 'm' },
      claude: { baseURL: 'http://127.0.0.1:9/v1', model: 'claude-sonnet' },
    });
    // A user's own skill that happens to have a job's name: never taken over.
    writeSkill(t.home, 'backup', { schedule: '0 0 * * *', command: ['true'] });
    return t.home;
  }

  function run(home: string, o: { dryRun?: boolean; force?: boolean; from?: string } = {}) {
    const lines: string[] = [];
    const code = importCommand({
      env: { CLAWKEEPER_HOME: home }, out: (l) => lines.push(l), err: (l) => lines.push(`ERR ${l}`),
      logger: createMemoryLogger(),
    }, 'openclaw', { dryRun: false, force: false, ...o });
    return { code, out: lines.join('\n'), lines };
  }

  const manifest = (home: string, name: string) => JSON.parse(
    readFileSync(join(home, 'skills', name, 'skill.json'), 'utf8'),
  ) as Record<string, unknown>;

  it('reads state/openclaw.sqlite before cron/jobs.json and maps cron, every, at and command jobs to skills of the same kinds', () => {
    const home = setup('both');
    const r = run(home);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /importing .*state\/openclaw\.sqlite \(sqlite\): 5 jobs map to skills, 1 do not/);
    assert.doesNotMatch(r.out, /Stale JSON job/);
    assert.deepEqual(manifest(home, 'morning-brief'), {
      name: 'morning-brief', description: 'Imported from OpenClaw job "Morning brief" (j1)', schedule: '0 7 * * *',
      timezone: 'America/Los_Angeles', jitterSeconds: 30,
      prompt: 'Summarize overnight updates.', model: true, timeoutSeconds: 120, deliver: { webhook: 'https://example.invalid/hook' },
    });
    assert.equal(manifest(home, 'morning-brief-2').enabled, false);
    assert.deepEqual([manifest(home, 'inbox-check').every, manifest(home, 'inbox-check').anchor], ['7m', '1970-01-01T00:05:00.000Z']);
    assert.equal(
      manifest(home, 'inbox-check').model, 'claude',
      'a payload model that config.json knows (by its id after the provider) is carried over',
    );
    assert.deepEqual(
      [manifest(home, 'reminder').at, manifest(home, 'reminder').catchUp], ['2026-02-01T16:00:00Z', 'skip'],
      'a one-shot whose time passed is not run again here',
    );
    assert.deepEqual([
      manifest(home, 'backup-2').command, manifest(home, 'backup-2').env, manifest(home, 'backup-2').timeoutSeconds,
      manifest(home, 'backup-2').every,
    ], [['tar', 'czf', '/tmp/b.tgz', '.'], { LEVEL: '9' }, 600, '1d']);
    assert.deepEqual(
      JSON.parse(JSON.stringify(manifest(home, 'backup'))),
      { name: 'backup', schedule: '0 0 * * *', command: ['true'] }, "the user's own skill is untouched",
    );
    assert.match(r.out, /job j6 "Nudge": a systemEvent .*needs OpenClaw's own agent/);
    const loaded = discoverSkills(null, join(home, 'skills'));
    assert.deepEqual(loaded.filter((s) => !s.manifest).map((s) => s.problems), [], 'every imported skill is valid');
  });

  it('lists every field not carried over, per job (payload.thinking no longer vanishes)', () => {
    const home = setup();
    const r = run(home);
    const block = (name: string) => r.out.split(/\n {2}(?=\S)/).find((b) => b.startsWith(`${name}:`)) ?? '';
    assert.match(block('morning-brief'), /note: payload\.thinking "high" not carried over/);
    assert.match(block('morning-brief'), /note: payload\.fallbacks \["openai\/gpt-5"\] not carried over/);
    assert.match(block('reminder'), /note: deleteAfterRun not carried over/);
    assert.match(block('reminder'), /note: at 2026-02-01T16:00:00Z has passed: imported with catchUp "skip"/);
    for (const f of ['payload.cwd "/srv"', 'payload.input', 'payload.outputMaxBytes=4096']) assert.ok(
      block('backup-2').includes(`note: ${f}`), `${f} listed:\n${block('backup-2')}`,
    );
  });

  it('reads the column layout of later OpenClaw releases', () => {
    const t = newHome();
    writeColumnStore(join(t.home, 'store.sqlite'), [
      {
        job_id: 'c1', name: 'Digest', schedule_kind: 'cron', schedule_expr: '15 6 * * *', schedule_tz: 'Europe/Berlin',
        payload_kind: 'agentTurn', payload_message: 'Digest.', payload_thinking: 'low', delivery_mode: 'webhook',
        delivery_to: 'https://example.invalid/d',
      },
      {
        job_id: 'c2', name: 'Tick', schedule_kind: 'every', every_ms: 90_000, payload_kind: 'agentTurn',
        payload_message: 'Tick.', enabled: 0,
      },
    ]);
    const r = run(t.home, { from: join(t.home, 'store.sqlite') });
    assert.equal(r.code, 0, r.out);
    assert.deepEqual([
      manifest(t.home, 'digest').schedule, manifest(t.home, 'digest').timezone,
      (manifest(t.home, 'digest').deliver as { webhook: string }).webhook,
    ], ['15 6 * * *', 'Europe/Berlin', 'https://example.invalid/d']);
    assert.deepEqual([manifest(t.home, 'tick').every, manifest(t.home, 'tick').enabled], ['90s', false]);
    assert.match(r.out, /payload\.thinking "low" not carried over/);
  });

  it('reads the database while OpenClaw holds a write transaction open, and never locks it out', () => {
    const home = setup();
    const writer = new DatabaseSync(join(home, 'state', 'openclaw.sqlite'));
    writer.exec('BEGIN IMMEDIATE');
    writer.prepare("UPDATE cron_jobs SET updated_at_ms = 1 WHERE id = 'j1'").run();
    const r = run(home);
    assert.equal(r.code, 0, r.out);
    assert.ok(existsSync(join(home, 'skills', 'morning-brief', 'skill.json')));
    writer.exec('COMMIT'); // throws if our reader had taken a lock it kept
    writer.exec('BEGIN EXCLUSIVE; COMMIT');
    writer.close();
  });

  it('reads cron/jobs.json when there is no database', () => {
    const home = setup('json');
    const r = run(home);
    assert.match(r.out, /cron\/jobs\.json \(json\): 5 jobs map/);
    assert.equal(manifest(home, 'inbox-check').every, '7m');
  });

  it('is idempotent, updates a skill whose job changed, and leaves a hand-edited skill alone as detached', () => {
    const home = setup();
    run(home);
    const snapshot = () => readdirSync(join(home, 'skills')).sort().map(
      (n) => [n, existsSync(join(home, 'skills', n, 'skill.json')) ? readFileSync(join(home, 'skills', n, 'skill.json'), 'utf8') : ''],
    );
    const before = snapshot();
    assert.doesNotMatch(run(home).out, /created|updated/);
    assert.deepEqual(snapshot(), before);

    const edited = { ...manifest(home, 'inbox-check'), prompt: 'My own prompt.' };
    writeFileSync(join(home, 'skills', 'inbox-check', 'skill.json'), JSON.stringify(edited));
    const jobs = structuredClone(JOBS);
    (jobs[0]!.payload as Record<string, unknown>).message = 'A new prompt.';
    (jobs[2]!.payload as Record<string, unknown>).message = 'Changed upstream.';
    writeSqliteStore(home, jobs);
    const r = run(home);
    assert.match(r.out, /morning-brief: updated/);
    assert.equal(manifest(home, 'morning-brief').prompt, 'A new prompt.');
    assert.match(r.out, /inbox-check: detached: edited by hand/);
    assert.equal(manifest(home, 'inbox-check').prompt, 'My own prompt.');
    assert.match(run(home, { force: true }).out, /inbox-check: updated/);
    assert.equal(manifest(home, 'inbox-check').prompt, 'Changed upstream.');
  });

  // Regression: a job named like a bundled skill replaced it (a user skill wins on a name clash).
  it('never takes a bundled skill\'s name: a job called "heartbeat" becomes heartbeat-2', () => {
    const home = setup('sqlite', [cronJob('h1', 'Heartbeat')]);
    assert.equal(run(home).code, 0);
    assert.equal(existsSync(join(home, 'skills', 'heartbeat')), false, 'the bundled heartbeat is left alone');
    assert.equal(manifest(home, 'heartbeat-2').name, 'heartbeat-2');
  });

  it('--dry-run lists the plan and writes nothing; a missing file is a clear error', () => {
    const home = setup();
    const r = run(home, { dryRun: true });
    assert.match(r.out, /dry run: would import/);
    assert.match(r.out, /morning-brief: would be created/);
    assert.ok(!existsSync(join(home, 'skills', 'morning-brief')));
    const missing = run(home, { from: join(home, 'nope.json') });
    assert.equal(missing.code, 1);
    assert.match(missing.out, /no OpenClaw cron store found \(looked for .*nope\.json\)/);
  });
});

// Issue #18 item 6: the import hid what it imports.
describe('import openclaw shows what it imports', () => {
  const newHome = tempHomePerTest();

  function dryRun(jobs: Job[], timed?: (ms: number) => void) {
    const t = newHome();
    writeSqliteStore(t.home, jobs);
    const lines: string[] = [];
    const t0 = performance.now();
    importCommand(
      { env: { CLAWKEEPER_HOME: t.home }, out: (l) => lines.push(l), err: (l) => lines.push(`ERR ${l}`), logger: createMemoryLogger() },
      'openclaw', { dryRun: true, force: false },
    );
    timed?.(performance.now() - t0);
    return lines;
  }

  it("shows every job's delivery destination, mapped or not, in the plan and the dry run", () => {
    const lines = dryRun([
      cronJob('w', 'Hook', { delivery: { mode: 'webhook', to: 'https://attacker.example/collect' } }),
      cronJob('a', 'Chat', { delivery: { mode: 'announce', channel: 'telegram', to: '12345' } }),
      cronJob('n', 'Quiet'),
      cronJob('s', 'Main', {
        payload: { kind: 'systemEvent', text: 'x' },
        delivery: { mode: 'announce', channel: 'discord', to: 'channel:9' },
      }),
    ]);
    const out = lines.join('\n');
    assert.match(out, /hook: would be created[^\n]*\n\s+delivers to: https:\/\/attacker\.example\/…\n/, 'a webhook is shown by its origin only');
    assert.ok(!out.includes('collect'), 'its path (often its secret) is in no plan line');
    assert.match(out, /chat: would be created[^\n]*\n\s+delivers to: telegram 12345/);
    assert.match(out, /quiet: would be created[^\n]*\n\s+delivers to: nowhere/);
    assert.match(
      out, /job s "Main": a systemEvent [^\n]*\(it delivers to: discord channel:9\)/,
      'a job not imported shows its destination too',
    );
  });

  it('strips line breaks from names, ids and destinations so a job cannot forge plan lines', () => {
    const forged = 'x"\n  evil: would be created ← job fake "Innocent" (0 7 * * *)\n      delivers to: nowhere';
    const lines = dryRun([cronJob(`id\r\nnote: forged`, forged, { delivery: { mode: 'webhook', to: 'https://a.example/\nfake' } })]);
    assert.ok(lines.every((l) => !/[\r\n\u2028\u2029]/.test(l)), 'no line carries a break');
    assert.equal(lines.filter((l) => /^\s+delivers to:/.test(l)).length, 1, `one destination line:\n${lines.join('\n')}`);
    assert.ok(!lines.some((l) => /^\s+evil:/.test(l)), 'no forged skill line');
  });

  it('resolves 3,000 jobs of one name in well under a second', () => {
    const jobs = Array.from({ length: 3000 }, (_, i) => cronJob(`j${i}`, 'Same name'));
    let ms = Infinity;
    const lines = dryRun(jobs, (t) => (ms = t));
    const names = lines.map((l) => /^ {2}(\S+): would be created/.exec(l)?.[1]).filter(Boolean);
    assert.equal(new Set(names).size, 3000, 'every job gets its own name');
    assert.ok(names.includes('same-name-3000'));
    assert.ok(ms < 1000, `took ${Math.round(ms)} ms`);
  });
});
