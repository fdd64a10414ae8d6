import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { discoverSkills } from '../../main/core/skills/skill-loader.ts';
import { tempHomePerTest, writeSkill } from '../helpers/home.ts';

describe('skill discovery and validation', () => {
  const newHome = tempHomePerTest();

  function setup() {
    const t = newHome();
    const bundled = join(t.home, 'bundled');
    mkdirSync(bundled);
    return { home: t.home, bundled, user: join(t.home, 'skills') };
  }

  it('reports every problem of a manifest at once, with file and field', () => {
    const { home, user } = setup();
    writeSkill(home, 'bad', { schedule: '61 * * * *', colour: 'blue', timeoutSeconds: -1, overlap: 'sometimes' }, 'ok.mjs');
    const [skill] = discoverSkills(null, user);
    assert.equal(skill!.manifest, null);
    const fields = skill!.problems.map((p) => p.field).sort();
    assert.deepEqual(fields, ['colour', 'overlap', 'schedule', 'timeoutSeconds']);
    assert.ok(skill!.problems.every((p) => p.file.endsWith(join('bad', 'skill.json'))));
    assert.match(skill!.problems.find((p) => p.field === 'colour')!.message, /unknown field/);
  });

  it('refuses a name with ../ and a folder mismatch', () => {
    const { home, user } = setup();
    writeSkill(home, 'evil', { name: '../evil', schedule: '* * * * *' }, 'ok.mjs');
    const [skill] = discoverSkills(null, user);
    assert.equal(skill!.manifest, null);
    assert.ok(skill!.problems.some((p) => p.field === 'name' && /lower-case/.test(p.message)));
  });

  it('refuses an entry that is missing or outside the skill folder', () => {
    const { home, user } = setup();
    writeSkill(home, 'missing', { schedule: '* * * * *', entry: 'nope.mjs' });
    writeSkill(home, 'escape', { schedule: '* * * * *', entry: '../../../etc/passwd' });
    const skills = discoverSkills(null, user);
    assert.match(skills.find((s) => s.name === 'missing')!.problems[0]!.message, /does not exist/);
    assert.match(skills.find((s) => s.name === 'escape')!.problems[0]!.message, /outside the skill folder/);
  });

  it('refuses an invalid cron, a wrong field count and an unknown time zone', () => {
    const { home, user } = setup();
    writeSkill(home, 'cron-a', { schedule: 'every day' }, 'ok.mjs');
    writeSkill(home, 'cron-b', { schedule: '* * * *' }, 'ok.mjs');
    writeSkill(home, 'tz', { schedule: '* * * * *', timezone: 'Mars/Olympus' }, 'ok.mjs');
    const byName = Object.fromEntries(discoverSkills(null, user).map((s) => [s.name, s]));
    assert.equal(byName['cron-a']!.problems[0]!.field, 'schedule');
    assert.match(byName['cron-b']!.problems[0]!.message, /has 4 fields/);
    assert.match(byName.tz!.problems[0]!.message, /unknown time zone "Mars\/Olympus"/);
  });

  it('lists unreadable JSON as invalid while the other skills load', () => {
    const { home, user } = setup();
    writeSkill(home, 'good', { schedule: '* * * * *' }, 'ok.mjs');
    mkdirSync(join(user, 'broken'));
    writeFileSync(join(user, 'broken', 'skill.json'), '{"name": "broken",');
    const skills = discoverSkills(null, user);
    assert.deepEqual(skills.map((s) => [s.name, s.manifest !== null]), [['broken', false], ['good', true]]);
    assert.match(skills[0]!.problems[0]!.message, /not valid JSON/);
  });

  it('lets a user skill override a bundled skill of the same name, and never loads skills/status', () => {
    const { home, bundled, user } = setup();
    mkdirSync(join(bundled, 'same'));
    writeFileSync(join(bundled, 'same', 'skill.json'), JSON.stringify({ name: 'same', schedule: '0 0 * * *', command: ['true'] }));
    writeSkill(home, 'same', { schedule: '*/5 * * * *', command: ['true'] });
    mkdirSync(join(user, 'status'), { recursive: true });
    const skills = discoverSkills(bundled, user);
    assert.equal(skills.length, 1);
    assert.equal(skills[0]!.source, 'user');
    assert.equal(skills[0]!.manifest!.schedule, '*/5 * * * *');
  });

  it('applies defaults and accepts catchUp as a word or an object', () => {
    const { home, user } = setup();
    writeSkill(home, 'a', { schedule: '* * * * *', catchUp: 'all' }, 'ok.mjs');
    writeSkill(home, 'b', { schedule: '* * * * *', catchUp: { mode: 'all', max: 3 } }, 'ok.mjs');
    const [a, b] = discoverSkills(null, user);
    assert.deepEqual(a!.manifest!.catchUp, { mode: 'all', max: 10 });
    assert.deepEqual(b!.manifest!.catchUp, { mode: 'all', max: 3 });
    assert.equal(a!.manifest!.overlap, 'skip');
    assert.equal(a!.manifest!.timeoutSeconds, 300);
  });

  it('accepts both bundled skills as valid', () => {
    const { home } = setup();
    const skills = discoverSkills(join(import.meta.dirname, '..', '..', 'skills'), join(home, 'skills'));
    assert.deepEqual(skills.map((s) => [s.name, s.problems]), [['daily-memory', []], ['heartbeat', []]]);
  });
});
