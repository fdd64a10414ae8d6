// run-once runs as whoever calls it (root, from a timer): a skill another user could plant or
// change is that user's code, so a skills folder others can write is refused, and a skill folder
// or skill.json another user owns is invalid (for the host too: the one skill loader).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createMemoryLogger } from '../../main/core/home/logger.ts';
import { runOnce, RUN_ONCE_EXIT } from '../../main/core/runs/run-once.ts';
import { discoverSkills } from '../../main/core/skills/skill-loader.ts';
import { readLedger, tempHomePerTest, writeSkill } from '../helpers/home.ts';

const ROOT_ONLY = process.getuid?.() !== 0 ? 'needs root: the other user is played by uid 65534 (setpriv)' : false;
const run = (home: string, skill: string) => runOnce({
  home, bundledSkillsDir: null, skill, trigger: 'manual', logger: createMemoryLogger(), out: () => {},
});

describe('run-once runs no skill another user could have planted', () => {
  const newHome = tempHomePerTest();

  it('refuses a skills folder every user may write, with exit code 77, and runs nothing', async () => {
    const { home } = newHome();
    writeSkill(home, 'mine', { schedule: '0 * * * *', command: ['sh', '-c', 'echo ran > ran.txt'] });
    chmodSync(join(home, 'skills'), 0o777);
    const r = await run(home, 'mine');
    assert.equal(r.exitCode, RUN_ONCE_EXIT.notOwned);
    assert.match(
      r.message,
      /skills is writable by every user \(mode 777\): another user could plant a skill there; run-once refuses it: chmod go-w /,
    );
    assert.equal(existsSync(join(home, 'skills', 'mine', 'ran.txt')), false);
    assert.deepEqual(readLedger(home, 'mine'), []);
  });

  it('treats a skill folder another user planted as invalid, names why, and runs it neither here nor in the host\'s loader', { skip: ROOT_ONLY }, async () => {
    const { home } = newHome();
    writeSkill(home, 'mine', { schedule: '0 * * * *', command: ['true'] });
    chmodSync(home, 0o755);
    chmodSync(join(home, 'skills'), 0o777);
    // The other user's step, as that user, while skills/ was open.
    const skill = JSON.stringify({ name: 'y', schedule: '0 * * * *', command: ['sh', '-c', 'id > pwned'] });
    execFileSync('setpriv', [
      '--reuid=65534', '--regid=65534', '--clear-groups', 'sh', '-c',
      `umask 022; mkdir ${join(home, 'skills', 'y')} && printf '%s' '${skill}' > ${join(home, 'skills', 'y', 'skill.json')}`,
    ]);
    chmodSync(join(home, 'skills'), 0o700);

    const r = await run(home, 'y');
    assert.equal(r.exitCode, RUN_ONCE_EXIT.invalidSkill);
    assert.match(r.message, /\(owner\): .*skills\/y belongs to another user \(uid 65534\): not run/);
    assert.equal(existsSync(join(home, 'skills', 'y', 'pwned')), false);
    assert.deepEqual(readLedger(home, 'y'), []);

    const loaded = discoverSkills(null, join(home, 'skills'));
    assert.equal(loaded.find((s) => s.name === 'y')?.manifest, null, 'the host loads it as invalid');
    assert.ok(loaded.find((s) => s.name === 'mine')?.manifest, 'and the caller\'s own skill as valid');
  });

  it('treats a skill.json another user owns as invalid, in a folder of the caller\'s', { skip: ROOT_ONLY }, () => {
    const { home } = newHome();
    const dir = writeSkill(home, 'z', { schedule: '0 * * * *', command: ['true'] });
    execFileSync('chown', ['65534:65534', join(dir, 'skill.json')]);
    const z = discoverSkills(null, join(home, 'skills')).find((s) => s.name === 'z');
    assert.equal(z?.manifest, null);
    assert.match(
      z?.problems.map((p) => `${p.field}: ${p.message}`).join('\n') ?? '',
      /\(owner\): skill\.json belongs to another user \(uid 65534, you are uid 0\)/,
    );
  });
});
