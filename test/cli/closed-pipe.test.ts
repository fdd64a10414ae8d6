import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { ROOT, tempHomeForSuite } from '../helpers/home.ts';

const SKILLS = 1500;
const CLI = join(ROOT, 'bin', 'clawkeeper.js');

/** The command's stdout read until its first chunk, then closed: the reader of `| head -1`. */
function readFirstChunkThenClose(home: string, args: string[]): Promise<{ code: number | null; signal: string | null; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, CLAWKEEPER_HOME: home, CLAWKEEPER_GATEWAY_PORT: '1', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    p.stdout.once('data', () => p.stdout.destroy());
    p.stderr.on('data', (c: Buffer) => (err += c.toString()));
    p.on('close', (code, signal) => resolve({ code, signal, err }));
  });
}

describe('every command ends quietly on a closed stdout pipe', () => {
  let home = '';
  const suite = tempHomeForSuite();
  before(() => {
    home = suite.home;
    for (let i = 0; i < SKILLS; i++) {
      const dir = join(home, 'skills', `skill-${i}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        join(dir, 'skill.json'),
        JSON.stringify({
          name: `skill-${i}`, schedule: '0 0 1 1 *', command: ['true'],
          description: 'one of many, so that the output outgrows a pipe buffer',
        }),
      );
    }
  });

  it('the output really outgrows a pipe buffer (64 KiB), so the pipe closes under the writer', async () => {
    const r = await runCli(home, ['status']);
    assert.ok(r.out.length > 128 * 1024, `only ${r.out.length} bytes`);
  });

  it('`clawkeeper status | head -1` prints one line, no EPIPE trace, and status keeps its exit code (2: no host)', async () => {
    const r = await new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      // bash, for a real shell pipeline and PIPESTATUS (the exit code of clawkeeper, not of head)
      const p = spawn('bash', ['-c', '"$NODE" "$CLI" status | head -1; exit "${PIPESTATUS[0]}"'], {
        env: { ...process.env, NODE: process.execPath, CLI, CLAWKEEPER_HOME: home, CLAWKEEPER_GATEWAY_PORT: '1', NO_COLOR: '1' },
      });
      let out = '';
      let err = '';
      p.stdout.on('data', (c: Buffer) => (out += c.toString()));
      p.stderr.on('data', (c: Buffer) => (err += c.toString()));
      p.on('close', (code) => resolve({ code, out, err }));
    });
    assert.equal(r.err, '');
    assert.equal(r.out.trim().split('\n').length, 1);
    assert.match(r.out, /DOWN/);
    assert.equal(r.code, 2);
  });

  for (const [args, code] of [[['status', '--json'], 2], [['skills'], 0], [['status'], 2]] as const) {
    it(`\`clawkeeper ${args.join(' ')}\` with its reader gone ends with exit ${code} and nothing on stderr`, async () => {
      const r = await readFirstChunkThenClose(home, [...args]);
      assert.equal(r.signal, null);
      assert.equal(r.err, '');
      assert.equal(r.code, code);
    });
  }
});
