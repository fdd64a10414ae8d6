import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { tempHome, writeSkill } from '../helpers/home.ts';

const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

describe('the CLI never prints control characters read from files', () => {
  it('a skill printing OSC 52 and other escapes: run, logs, status and skills print no ESC, BEL or C1', async () => {
    const h = tempHome();
    try {
      writeSkill(h.home, 'osc', { schedule: '0 0 1 1 *' }, 'osc52.mjs');
      writeSkill(h.home, 'bad\u001b', { schedule: 'nope' });
      const run = await runCli(h.home, ['run', 'osc']);
      assert.equal(run.code, 1, run.out + run.err);
      for (const args of [['run', 'osc'], ['logs', 'osc'], ['status'], ['skills']]) {
        const r = await runCli(h.home, args, { FORCE_COLOR: '1' });
        const text = r.out + r.err;
        assert.doesNotMatch(text, CONTROL, `clawkeeper ${args.join(' ')} printed ${JSON.stringify(text.match(CONTROL)?.[0])}`);
        if (args[0] === 'logs') {
          assert.match(r.out, /before ]52;c;cm0gLXJmIH4K after/);
          assert.match(r.out, /visible-text/);
        }
      }
    } finally {
      h.cleanup();
    }
  });
});
