import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseStatusLine } from '../../main/common/status-line.ts';
import { runCli } from '../helpers/cli.ts';
import { tempHome, writeSkill } from '../helpers/home.ts';

const DUMP = [
  'sh', '-c',
  'printf \'{"openai":"%s","aws":"%s","github":"%s","ssh":"%s","lc":"%s","path":"%s","mine":"%s","skill":"%s"}\\n\' "${OPENAI_API_KEY:-none}" "${AWS_SECRET_ACCESS_KEY:-none}" "${GITHUB_TOKEN:-none}" "${SSH_AUTH_SOCK:-none}" "${LC_ALL:-none}" "${PATH:+set}" "${MINE:-none}" "$CLAWKEEPER_SKILL"',
];

function statusOf(home: string, skill: string): Record<string, string> {
  return parseStatusLine(readFileSync(join(home, 'skills', 'status', `${skill}.txt`), 'utf8'))!;
}

describe('the environment of a run is an allowlist', () => {
  it('secrets in the host environment reach only the skills that name them in inheritEnv; PATH, LC_* and the skill env always do', async () => {
    const h = tempHome();
    try {
      writeSkill(h.home, 'plain', { schedule: '0 0 1 1 *', command: DUMP, env: { MINE: 'from-skill-json' } });
      writeSkill(h.home, 'asker', { schedule: '0 0 1 1 *', command: DUMP, inheritEnv: ['GITHUB_TOKEN', 'SSH_AUTH_SOCK'] });
      const secrets = {
        OPENAI_API_KEY: 'sk-test-secret', AWS_SECRET_ACCESS_KEY: 'aws-secret', GITHUB_TOKEN: 'ghp_secret',
        SSH_AUTH_SOCK: '/tmp/agent.sock', LC_ALL: 'C.UTF-8', CLAWKEEPER_TOKEN: 'never',
      };
      for (const name of ['plain', 'asker']) {
        const r = await runCli(h.home, ['run', name], secrets);
        assert.equal(r.code, 0, r.out + r.err);
      }
      assert.deepEqual(statusOf(h.home, 'plain'), {
        ...statusOf(h.home, 'plain'), openai: 'none', aws: 'none', github: 'none', ssh: 'none', lc: 'C.UTF-8',
        path: 'set', mine: 'from-skill-json', skill: 'plain',
      });
      const asker = statusOf(h.home, 'asker');
      assert.equal(asker.github, 'ghp_secret');
      assert.equal(asker.ssh, '/tmp/agent.sock');
      assert.equal(asker.openai, 'none');
      assert.equal(asker.aws, 'none');
    } finally {
      h.cleanup();
    }
  });
});
