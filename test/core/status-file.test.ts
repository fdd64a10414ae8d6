import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseStatusLine } from '../../main/common/status-line.ts';
import { runCli } from '../helpers/cli.ts';
import { tempHome, writeSkill } from '../helpers/home.ts';

describe('status file written by a real run', () => {
  it('stays one line for Python splitlines() whatever line-break characters a skill returns, and decodes back', async (t) => {
    const py = spawnSync('python3', ['-c', 'print(1)']);
    if (py.status !== 0) return t.skip('python3 is not installed here');
    const h = tempHome();
    try {
      writeSkill(h.home, 'splitters', { schedule: '0 0 1 1 *' }, 'line-splitters.mjs');
      const r = await runCli(h.home, ['run', 'splitters']);
      assert.equal(r.code, 0, r.out + r.err);
      const file = join(h.home, 'skills', 'status', 'splitters.txt');
      const script = 'import json,sys\nt=open(sys.argv[1],encoding="utf-8").read()\nprint(json.dumps(t.splitlines()))';
      const out = spawnSync('python3', ['-c', script, file], { encoding: 'utf8' });
      assert.equal(out.status, 0, out.stderr);
      const lines = JSON.parse(out.stdout) as string[];
      assert.equal(lines.length, 1, `python sees ${lines.length} lines: ${JSON.stringify(lines)}`);
      const parts = lines[0]!.split(',');
      assert.equal(parts.filter((p) => p.startsWith('status=')).length, 1, 'exactly one status field');
      assert.equal(parts.filter((p) => p.startsWith('timestamp=2099')).length, 0, 'no forged timestamp');
      const fields = parseStatusLine(lines[0]!)!;
      assert.equal(fields.status, 'success');
      assert.equal(fields.vt, 'a\vstatus=success,timestamp=2099-01-01T00:00:00Z');
      assert.equal(fields.ls, 'g\u2028status=success,timestamp=2099-01-01T00:00:00Z');
      assert.equal(fields.nel, 'f\x85status=success,timestamp=2099-01-01T00:00:00Z');
      assert.equal(fields.plain, 'tab\tstays readable, 日本語 too');
    } finally {
      h.cleanup();
    }
  });
});
