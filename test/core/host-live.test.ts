import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseStatusLine } from '../../main/common/status-line.ts';
import { Host } from '../../main/core/host/host.ts';
import { createMemoryLogger } from '../../main/core/home/logger.ts';
import { freePort } from '../helpers/net.ts';
import { readLedger, ROOT, tempHome, waitFor, writeSkill } from '../helpers/home.ts';
import { cleanupsPerTest } from '../helpers/per-test.ts';

describe('a real headless host', () => {
  const afterTest = cleanupsPerTest();

  async function startHost(home: string): Promise<{ host: Host; logger: ReturnType<typeof createMemoryLogger> }> {
    const logger = createMemoryLogger();
    const host = new Host({ home, bundledSkillsDir: null, logger, killGraceMs: 300 });
    await host.start();
    afterTest(() => host.stop(true));
    return { host, logger };
  }

  it('rewrites the status file every run in the contract format, and the article health check counts it fresh', async () => {
    const t = tempHome();
    afterTest(t.cleanup);
    const home = join(t.home, '.openclaw');
    writeSkill(home, 'tiktok-poster', { schedule: '* * * * * *' }, 'ok.mjs');
    await startHost(home);
    const status = join(home, 'skills', 'status', 'tiktok-poster.txt');
    const seen = new Map<string, number>();
    await waitFor('three different runs in the status file', () => {
      try {
        const line = readFileSync(status, 'utf8');
        const f = parseStatusLine(line);
        if (f?.run_id) seen.set(f.run_id, statSync(status).mtimeMs);
      } catch {
        // not written yet
      }
      return seen.size >= 3;
    }, 15_000, 50);
    const mtimes = [...seen.values()];
    assert.ok(mtimes[2]! > mtimes[0]!, 'the file is rewritten (new mtime) on every run');
    const line = readFileSync(status, 'utf8');
    assert.match(
      line,
      /^status=success,timestamp=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z,duration_ms=\d+,run_id=[a-z0-9-]+,posts=4,account=en,slot=[^,]+\n$/,
    );
    assert.equal(line.split('\n').length, 2, 'one line');

    // The article's script, unchanged but for where it looks: HOME points at our temp folder
    // (so ~/.openclaw is the test home) and the gateway URL at a free port where nothing listens.
    const port = await freePort();
    const out = execFileSync('bash', [join(ROOT, 'scripts', 'openclaw-health-check.sh')], {
      env: { ...process.env, HOME: t.home, GATEWAY_URL: `http://127.0.0.1:${port}/health`, STATUS_DIR: '' },
      encoding: 'utf8',
    });
    assert.match(out, /Gateway: FAIL/);
    assert.match(out, /Fresh skill status files: 1/);
    assert.match(out, /Gateway down but skills running - Graceful degradation mode/);
  });

  it('keeps running the good skills while bad ones are listed invalid with their reasons', async () => {
    const { home, cleanup: c } = tempHome();
    afterTest(c);
    writeSkill(home, 'good', { schedule: '* * * * * *' }, 'ok.mjs');
    writeSkill(home, 'bad-cron', { schedule: '99 * * * *' }, 'ok.mjs');
    writeSkill(home, 'unknown-field', { schedule: '* * * * * *', colour: 'red' }, 'ok.mjs');
    writeSkill(home, 'no-entry', { schedule: '* * * * * *', entry: 'gone.mjs' });
    writeSkill(home, 'fails', { schedule: '* * * * * *' }, 'throws.mjs');
    writeSkill(home, 'hangs', { schedule: '* * * * * *', timeoutSeconds: 2.5 }, 'hang.mjs');
    writeSkill(home, 'floods', { schedule: '* * * * * *', env: { FLOOD_MB: '50' } }, 'flood.mjs');
    const { host, logger } = await startHost(home);
    assert.deepEqual(host.invalidSkills().map((s) => s.name), ['bad-cron', 'no-entry', 'unknown-field']);
    assert.match(logger.lines.join('\n'), /skill "unknown-field" is invalid.*\n.*colour: unknown field/);
    await waitFor(
      'good to succeed 3 times while the others misbehave',
      () => readLedger(home, 'good').filter((e) => e.type === 'end' && e.outcome === 'success').length >= 3, 20_000,
      100,
    );
    await waitFor(
      'hangs to time out once',
      () => readLedger(home, 'hangs').some((e) => e.type === 'end' && e.outcome === 'timeout'), 20_000, 100,
    );
    await waitFor('floods to finish once', () => readLedger(home, 'floods').some((e) => e.type === 'end'), 30_000, 100);
    assert.ok(readLedger(home, 'fails').some((e) => e.type === 'end' && e.outcome === 'failure'));
    assert.ok(
      readLedger(home, 'hangs').some((e) => e.type === 'skip' && e.reason === 'skipped-overlap'),
      'overlapping slots of a hung skill are recorded, not run',
    );
  });

  it('skips a corrupt ledger line with a warning naming file and line, and keeps the rest', async () => {
    const { home, cleanup: c } = tempHome();
    afterTest(c);
    writeSkill(home, 'daily', { schedule: '0 3 * * *', catchUp: 'skip' }, 'ok.mjs');
    const ledgerFile = join(home, 'runs', 'daily.jsonl');
    execFileSync('mkdir', ['-p', join(home, 'runs')]);
    const slot = '2026-01-01T03:00:00.000Z';
    writeFileSync(
      ledgerFile,
      JSON.stringify({
        type: 'start', run_id: 'a', skill: 'daily', slot, trigger: 'schedule', attempt: 1, started_at: slot,
        host_pid: 1,
      }) + '\n',
    );
    appendFileSync(ledgerFile, '{"type":"end","run_id":"a","sk\n');
    appendFileSync(
      ledgerFile,
      JSON.stringify({
        type: 'end', run_id: 'a', skill: 'daily', slot, trigger: 'schedule', attempt: 1, started_at: slot,
        ended_at: slot, duration_ms: 5, outcome: 'success', exit_code: 0, signal: null,
      }) + '\n',
    );
    appendFileSync(ledgerFile, '{"torn": tr'); // a crash mid-write: no newline
    const { host, logger } = await startHost(home);
    assert.match(logger.lines.join('\n'), new RegExp(`${ledgerFile.replace(/[/.]/g, '\\$&')}:2: skipped a corrupt line`));
    assert.match(logger.lines.join('\n'), /daily\.jsonl:4: skipped a corrupt line/);
    assert.equal(host.ledger.lastRun('daily')?.outcome, 'success');
    host.runNow('daily');
    await host.idle();
    const lines = readFileSync(ledgerFile, 'utf8').split('\n');
    assert.equal(lines[3], '{"torn": tr', 'the torn line stays where it was');
    assert.doesNotThrow(() => JSON.parse(lines[4]!), 'the next entry starts on a line of its own');
  });

  it('overlap=queue runs every slot one after the other; overlap=replace stops the older run', async () => {
    const { home, cleanup: c } = tempHome();
    afterTest(c);
    writeSkill(home, 'queued', { schedule: '* * * * * *', overlap: 'queue', env: { SLEEP_MS: '1500' } }, 'ok.mjs');
    writeSkill(home, 'replaced', { schedule: '* * * * * *', overlap: 'replace', env: { SLEEP_MS: '1500' } }, 'ok.mjs');
    await startHost(home);
    await waitFor('two queued runs to finish', () => readLedger(home, 'queued').filter((e) => e.type === 'end').length >= 2, 20_000, 100);
    await waitFor(
      'a replaced run', () => readLedger(home, 'replaced').some((e) => e.type === 'end' && e.outcome === 'interrupted'),
      20_000, 100,
    );
    const q = readLedger(home, 'queued');
    assert.ok(q.filter((e) => e.type === 'end').every((e) => e.outcome === 'success'));
    assert.ok(!q.some((e) => e.type === 'skip'), 'nothing skipped under queue');
    const r = readLedger(home, 'replaced').find((e) => e.type === 'end' && e.outcome === 'interrupted')!;
    assert.match(String(r.error), /replaced it \(overlap=replace\)/);
  });

  it('retries a failing run with backoff, as attempts of the same slot', async () => {
    const { home, cleanup: c } = tempHome();
    afterTest(c);
    writeSkill(home, 'flaky', { schedule: '0 0 1 1 *', retries: { max: 2, backoffSeconds: 0.1 } }, 'throws.mjs');
    const { host } = await startHost(home);
    host.dispatch({ skill: 'flaky', slot: '2026-01-01T00:00:00.000Z', trigger: 'schedule' });
    await waitFor('three attempts', () => readLedger(home, 'flaky').filter((e) => e.type === 'end').length >= 3, 15_000, 50);
    await host.idle();
    const ends = readLedger(home, 'flaky').filter((e) => e.type === 'end');
    assert.deepEqual(ends.map((e) => [e.attempt, e.trigger, e.slot]), [
      [1, 'schedule', '2026-01-01T00:00:00.000Z'],
      [2, 'retry', '2026-01-01T00:00:00.000Z'],
      [3, 'retry', '2026-01-01T00:00:00.000Z'],
    ]);
  });

  it('refuses a second host on the same home', async () => {
    const { home, cleanup: c } = tempHome();
    afterTest(c);
    await startHost(home);
    const second = new Host({ home, bundledSkillsDir: null, logger: createMemoryLogger() });
    await assert.rejects(second.start(), /another ClawKeeper host \(pid \d+\) is already running/);
  });
});
