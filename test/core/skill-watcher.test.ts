import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { callHost } from '../../main/cli/host-client.ts';
import { readLedger, waitFor, writeSkill } from '../helpers/home.ts';
import { hostForSuite, http } from '../helpers/host-process.ts';

interface ApiSkill {
  name: string;
  state: string;
  description: string;
  problems: string[];
}

describe('the host follows the skill folders while it runs (no restart, no SIGHUP)', () => {
  const h = hostForSuite(
    (home) => writeSkill(home, 'slow', { schedule: '0 0 1 1 *', description: 'before', env: { SLEEP_MS: '3000' } }, 'ok.mjs'),
  );
  const skills = async (): Promise<ApiSkill[]> => {
    const r = await http(h.gatewayPort, 'GET', '/api/skills', { headers: { authorization: `Bearer ${h.token()}` } });
    return r.status === 200 ? (r.json() as { skills: ApiSkill[] }).skills : [];
  };
  const starts = (name: string) => readLedger(h.home, name).filter((e) => e.type === 'start').length;

  it('a skill.json written while the host runs is scheduled and run on its next slot', async () => {
    writeSkill(h.home, 'fresh', { schedule: '* * * * * *' }, 'ok.mjs');
    const end = await waitFor(
      'a scheduled run of the new skill',
      () => readLedger(h.home, 'fresh').find((e) => e.type === 'end' && e.trigger === 'schedule'), 15_000, 50,
    );
    assert.equal(end.outcome, 'success');
  });

  it('a broken skill.json is listed as invalid with its problem, and the others keep running', async () => {
    writeSkill(h.home, 'bad', { schedule: 'nope', colour: 1 }, 'ok.mjs');
    const bad = await waitFor('the host to list it', async () => (await skills()).find((s) => s.name === 'bad'), 15_000, 100);
    assert.equal(bad.state, 'invalid');
    assert.ok(bad.problems.some((p) => /schedule/.test(p)), bad.problems.join('\n'));
    assert.ok(bad.problems.some((p) => /colour: unknown field/.test(p)), bad.problems.join('\n'));
    assert.match(h.output(), /skill "bad" is invalid and will not run/);
    const n = starts('fresh');
    await waitFor('fresh still running', () => starts('fresh') > n, 15_000, 50);
  });

  it('a run in flight is untouched when its own skill.json changes', async () => {
    const r = await callHost(h.home, { id: 1, op: 'run', skill: 'slow' });
    assert.ok(r?.ok, JSON.stringify(r));
    const runId = (r.result as { run_id: string }).run_id;
    const file = join(h.home, 'skills', 'slow', 'skill.json');
    writeFileSync(
      file,
      JSON.stringify({ name: 'slow', entry: 'index.mjs', schedule: '0 0 1 1 *', description: 'after', env: { SLEEP_MS: '3000' } }),
    );
    await waitFor(
      'the host to see the change',
      async () => (await skills()).find((s) => s.name === 'slow' && s.description === 'after'), 15_000, 100,
    );
    const end = await waitFor(
      'the in-flight run to end', () => readLedger(h.home, 'slow').find((e) => e.type === 'end' && e.run_id === runId),
      15_000, 50,
    );
    assert.equal(end.outcome, 'success');
  });

  it('removing a skill folder stops its schedule', async () => {
    rmSync(join(h.home, 'skills', 'fresh'), { recursive: true, force: true });
    await waitFor(
      'the host to drop it',
      async () => !(await skills()).some((s) => s.name === 'fresh') && (await skills()).length > 0, 15_000, 100,
    );
    const n = starts('fresh');
    // A per-second skill would have started ~3 more runs by now.
    await new Promise((r) => setTimeout(r, 3000));
    assert.equal(starts('fresh'), n);
  });
});
