// Pause with a note and Reset breaker, as every front-end sends them (host-commands.ts), against
// a real in-process host and the files `clawkeeper status` reads.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { executeCommand } from '../../main/core/front/host-commands.ts';
import { Host } from '../../main/core/host/host.ts';
import { createMemoryLogger } from '../../main/core/home/logger.ts';
import { homePaths } from '../../main/core/home/paths.ts';
import { buildStatusReport } from '../../main/core/health/status-report.ts';
import { readPauses } from '../../main/core/skills/paused.ts';
import { tempHome, writeSkill } from '../helpers/home.ts';

const YEARLY = '0 0 1 1 *';

describe('skill commands: pause with a note, reset breaker', () => {
  let host: Host;
  let t: { home: string; cleanup: () => void };
  const cmd = (
    op: string, skill: string, extra: Record<string, unknown> = {},
  ) => executeCommand(host, null, { id: 1, op: op as 'pause', skill, ...extra });
  const statusOf = (name: string) => buildStatusReport(homePaths(t.home), null, createMemoryLogger()).skills.find((s) => s.name === name)!;

  before(async () => {
    t = tempHome();
    writeSkill(t.home, 'digest', { schedule: YEARLY }, 'ok.mjs');
    writeSkill(t.home, 'nobreaker', { schedule: YEARLY, breaker: false }, 'ok.mjs');
    host = new Host({ home: t.home, bundledSkillsDir: null, logger: createMemoryLogger(), useTrigger: false });
    await host.start();
  });
  after(async () => {
    await host.stop(true);
    t.cleanup();
  });

  it('a pause keeps its note with it: in runs/_paused.json, in the reason every view shows, and gone after resume', async () => {
    const r = await cmd('pause', 'digest', { note: 'provider quota until Monday\n' });
    assert.deepEqual(r, { id: 1, ok: true, result: { paused: true, note: 'provider quota until Monday' } });
    assert.equal(readPauses(homePaths(t.home)).get('digest')?.note, 'provider quota until Monday');
    const s = statusOf('digest');
    assert.equal(s.state, 'paused');
    assert.equal(s.pauseNote, 'provider quota until Monday');
    assert.equal(s.reason, 'paused by the user: provider quota until Monday');
    await cmd('resume', 'digest');
    assert.equal(statusOf('digest').state !== 'paused', true);
    assert.equal(statusOf('digest').pauseNote, null);
    assert.doesNotMatch(readFileSync(join(t.home, 'runs', '_paused.json'), 'utf8'), /digest/);
  });

  it('a pause note that is not a string, or is too long, is refused naming the limit, and nothing is paused', async () => {
    const long = await cmd('pause', 'digest', { note: 'x'.repeat(201) });
    assert.equal(long.ok, false);
    assert.match(!long.ok ? long.error.message : '', /the pause note is 201 characters; keep it to 200/);
    const wrong = await cmd('pause', 'digest', { note: 42 });
    assert.equal(wrong.ok, false);
    assert.equal(host.isPaused('digest'), false);
  });

  it('an older runs/_paused.json (plain names) still reads as paused without a note', () => {
    const paths = homePaths(t.home);
    writeFileSync(join(paths.runs, '_paused.json'), '["digest", {"name": "other", "note": "why\\u0007"}]');
    const p = readPauses(paths);
    assert.deepEqual(p.get('digest'), { note: '', at: null });
    assert.equal(p.get('other')?.note, 'why', 'control characters never reach a terminal');
    writeFileSync(join(paths.runs, '_paused.json'), '[]');
  });

  it('reset-breaker closes a tripped breaker (status says so), answers "was closed" for a closed one, and refuses a skill with breaker: false', async () => {
    // Trip it as five failed runs would.
    for (let i = 0; i < 5; i++) host.breakers.record('digest', { failures: 5, coolDownSeconds: 300 }, 'failure', false, Date.now());
    assert.equal(statusOf('digest').state, 'tripped');
    const r = await cmd('reset-breaker', 'digest');
    assert.deepEqual(r, { id: 1, ok: true, result: { breaker: 'closed', was: 'open' } });
    assert.notEqual(statusOf('digest').state, 'tripped');
    assert.deepEqual((await cmd('reset-breaker', 'digest')), { id: 1, ok: true, result: { breaker: 'closed', was: 'closed' } });
    const none = await cmd('reset-breaker', 'nobreaker');
    assert.equal(none.ok, false);
    assert.match(!none.ok ? none.error.message : '', /skill "nobreaker" has no circuit breaker \(breaker: false in skill.json\)/);
    const unknown = await cmd('reset-breaker', 'nope');
    assert.match(!unknown.ok ? unknown.error.message : '', /no skill named "nope"/);
  });
});
