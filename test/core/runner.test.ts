import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { SkillManifest } from '../../main/common/types.ts';
import { systemClock } from '../../main/core/scheduling/clock.ts';
import { nodeLauncher } from '../../main/core/runs/launcher.ts';
import { startRun, type FinishedRun } from '../../main/core/runs/runner.ts';
import { tempHomePerTest, writeSkill } from '../helpers/home.ts';

function manifest(name: string, extra: Partial<SkillManifest>): SkillManifest {
  return {
    name,
    description: '',
    schedule: '* * * * *',
    timeoutSeconds: 30,
    retries: { max: 0, backoffSeconds: 0 },
    overlap: 'skip',
    catchUp: { mode: 'skip', max: 1 },
    env: {},
    needs: [],
    breaker: false,
    enabled: true,
    ...extra,
  };
}

describe('runner: one process per run, every end is a result', () => {
  const newHome = tempHomePerTest();

  async function run(
    name: string, m: Partial<SkillManifest>, fixture?: string,
    opts: { logCapBytes?: number; killGraceMs?: number } = {},
  ): Promise<FinishedRun & { home: string }> {
    const t = newHome();
    const dir = writeSkill(t.home, name, {}, fixture);
    const handle = startRun(
      {
        manifest: manifest(name, { entry: fixture ? 'index.mjs' : undefined, ...m }), dir, runId: 'r1', slot: null,
        trigger: 'manual', attempt: 1, home: t.home,
      },
      { launcher: nodeLauncher, clock: systemClock, logsDir: join(t.home, 'logs'), ...opts },
    );
    assert.ok(handle.pid === undefined || handle.pid !== process.pid, 'the run is in another process');
    return { ...(await handle.done), home: t.home };
  }

  it('runs a JS skill in its own process and returns its fields', async () => {
    const r = await run('ok', {}, 'ok.mjs');
    assert.equal(r.outcome, 'success');
    assert.deepEqual(r.fields, { posts: '4', account: 'en', slot: 'manual' });
  });

  it('records a thrown error as failure with its message', async () => {
    const r = await run('throws', {}, 'throws.mjs');
    assert.equal(r.outcome, 'failure');
    assert.match(r.error!, /the feed was empty/);
    assert.match(readFileSync(r.logFile, 'utf8'), /the feed was empty/);
  });

  it('records a process killed by a signal as crashed', async () => {
    const r = await run('crash', {}, 'crash.mjs');
    assert.equal(r.outcome, 'crashed');
    assert.equal(r.signal, 'SIGSEGV');
  });

  it('stops a skill that never exits: SIGTERM at the deadline, then SIGKILL', async () => {
    const started = Date.now();
    const r = await run('hang', { timeoutSeconds: 0.5 }, 'hang.mjs', { killGraceMs: 300 });
    assert.equal(r.outcome, 'timeout');
    assert.equal(r.signal, 'SIGKILL');
    assert.match(r.error!, /timeoutSeconds=0.5.*SIGKILL/);
    assert.ok(Date.now() - started < 15_000);
  });

  it('keeps a 50 MB flood to the log cap and still succeeds', async () => {
    const r = await run('flood', { env: { FLOOD_MB: '50' } }, 'flood.mjs', { logCapBytes: 256 * 1024 });
    assert.equal(r.outcome, 'success');
    assert.equal(r.outputBytes, 50 * 1024 * 1024);
    assert.ok(statSync(r.logFile).size < 256 * 1024 + 1024, `log is ${statSync(r.logFile).size} bytes`);
    assert.match(r.warnings.join('\n'), /not kept in the log/);
  });

  it('encodes result fields containing , = and line breaks, dropping bad keys with warnings', async () => {
    const r = await run('bad-fields', {}, 'bad-fields.mjs');
    assert.equal(r.outcome, 'success');
    assert.equal(r.fields.note, 'a,b=c\nd%e');
    assert.equal(r.fields.ok_key, 'fine');
    assert.equal(r.fields.status, undefined);
    assert.ok(r.warnings.some((w) => w.includes('Bad Key')));
  });

  it('records a module without a default function as failure, saying what to export', async () => {
    const r = await run('nofn', {}, 'not-a-function.mjs');
    assert.equal(r.outcome, 'failure');
    assert.match(r.error!, /must export a default \(async\) function/);
  });

  it('runs a command skill and takes its last stdout line as fields', async () => {
    const r = await run('cmd', { command: ['sh', '-c', 'echo working; echo \'{"files": 12, "ok": true}\''] });
    assert.equal(r.outcome, 'success');
    assert.deepEqual(r.fields, { files: '12', ok: 'true' });
  });

  it('records a non-zero exit as failure with the last stderr line', async () => {
    const r = await run('cmd-fail', { command: ['sh', '-c', 'echo disk full >&2; exit 3'] });
    assert.equal(r.outcome, 'failure');
    assert.equal(r.exitCode, 3);
    assert.match(r.error!, /exited with code 3: disk full/);
  });

  it('records a command that does not exist as failure instead of throwing', async () => {
    const r = await run('cmd-missing', { command: ['/nonexistent/program'] });
    assert.equal(r.outcome, 'failure');
    assert.match(r.error!, /could not start|ENOENT/);
  });

  it('kills the whole process group of a command at the deadline', async () => {
    const r = await run(
      'cmd-hang', { command: ['sh', '-c', 'sleep 30 & sleep 30; wait'], timeoutSeconds: 0.3 }, undefined,
      { killGraceMs: 200 },
    );
    assert.equal(r.outcome, 'timeout');
    assert.ok(existsSync(r.logFile));
  });

  it('does not pass the API token to skills', async () => {
    process.env.CLAWKEEPER_TOKEN = 'secret-should-not-leak';
    try {
      const r = await run('env', {
        command: ['sh', '-c', 'echo "{\\"token\\": \\"${CLAWKEEPER_TOKEN:-none}\\", \\"skill\\": \\"$CLAWKEEPER_SKILL\\"}"'],
      });
      assert.deepEqual(r.fields, { token: 'none', skill: 'env' });
    } finally {
      delete process.env.CLAWKEEPER_TOKEN;
    }
  });
});
