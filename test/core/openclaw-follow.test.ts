import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { ROOT, tempHome, waitFor } from '../helpers/home.ts';
import { cleanupsPerTest } from '../helpers/per-test.ts';
import { writeModels } from '../helpers/model-home.ts';
import { cronJob, writeSqliteStore } from '../helpers/openclaw-store.ts';

const skillJson = (home: string, name: string) => JSON.parse(
  readFileSync(join(home, 'skills', name, 'skill.json'), 'utf8'),
) as Record<string, unknown>;

describe('import openclaw --follow', () => {
  const afterTest = cleanupsPerTest();

  it('keeps imported skills in step with the store within 5 s while the host runs, and leaves a hand-edited one alone as detached', async () => {
    const t = tempHome();
    let host: ChildProcess | null = null;
    afterTest(async () => {
      if (host && host.exitCode === null) {
        const gone = new Promise((r) => host!.once('exit', r));
        host.kill('SIGKILL');
        await gone;
      }
      t.cleanup();
    });
    writeModels(t.home, { default: { baseURL: 'http://127.0.0.1:9/v1', model: 'm' } });
    const yearly = { schedule: { kind: 'cron', expr: '0 0 1 1 *', tz: 'UTC' } };
    const a = cronJob('a', 'Alpha', yearly);
    const b = cronJob('b', 'Beta', yearly);
    writeSqliteStore(t.home, [a, b]);
    const imported = await runCli(t.home, ['import', 'openclaw', '--follow']);
    assert.equal(imported.code, 0, imported.err);
    assert.match(imported.out, /following .*openclaw\.sqlite/);
    assert.ok(existsSync(join(t.home, 'skills', 'alpha', 'skill.json')));

    let out = '';
    host = spawn(process.execPath, [join(ROOT, 'bin', 'clawkeeper.js'), 'start', '--headless'], {
      env: { ...process.env, CLAWKEEPER_HOME: t.home, CLAWKEEPER_GATEWAY_PORT: '0', CLAWKEEPER_SESSION_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    host.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    host.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    await waitFor('the host to run', () => /ClawKeeper host running/.test(out), 30_000, 20);

    // Added, changed and disabled in OpenClaw: followed within 5 s.
    const changedAt = Date.now();
    writeSqliteStore(t.home, [
      cronJob('a', 'Alpha', { ...yearly, payload: { kind: 'agentTurn', message: 'Changed upstream.' } }),
      { ...b, enabled: false },
      cronJob('c', 'Gamma', {
        schedule: { kind: 'every', everyMs: 600_000 },
        failureAlert: { after: 1, mode: 'webhook', to: 'https://hooks.example/gamma?token=t0k' },
      }),
    ]);
    await waitFor(
      'the change followed',
      () => existsSync(
        join(t.home, 'skills', 'gamma', 'skill.json'),
      ) && skillJson(t.home, 'alpha').prompt === 'Changed upstream.' && skillJson(t.home, 'beta').enabled === false,
      5000, 50,
    );
    assert.ok(Date.now() - changedAt <= 5000);
    assert.equal(skillJson(t.home, 'gamma').every, '10m');
    // Its failure webhook followed too: a channel of its own, the URL in a 0600 file.
    assert.deepEqual(skillJson(t.home, 'gamma').alerts, ['gamma']);
    const cfg = JSON.parse(readFileSync(join(t.home, 'config.json'), 'utf8')) as { alerts: { channels: Record<string, unknown> } };
    assert.deepEqual(cfg.alerts.channels.gamma, { type: 'webhook', urlFile: 'secrets/alert-gamma.url' });
    assert.equal(readFileSync(join(t.home, 'secrets', 'alert-gamma.url'), 'utf8'), 'https://hooks.example/gamma?token=t0k\n');

    // Edited by hand here, then changed there: left alone. Removed there: removed here.
    writeFileSync(
      join(t.home, 'skills', 'alpha', 'skill.json'),
      JSON.stringify({ ...skillJson(t.home, 'alpha'), prompt: 'Mine now.' }, null, 2),
    );
    writeSqliteStore(t.home, [
      cronJob('a', 'Alpha', { ...yearly, payload: { kind: 'agentTurn', message: 'Changed again.' } }),
      { ...b, enabled: false },
    ]);
    await waitFor('the removal followed', () => !existsSync(join(t.home, 'skills', 'gamma')), 5000, 50);
    await waitFor(
      'the detached skill named in the log',
      () => /skill "alpha" was edited by hand: detached from OpenClaw job a/.test(out), 5000, 50,
    );
    assert.equal(skillJson(t.home, 'alpha').prompt, 'Mine now.', 'the hand-edited skill is left alone');
    const skills = await runCli(t.home, ['skills']);
    assert.match(skills.out, /alpha: detached from OpenClaw job a \(edited by hand/);
  });
});
