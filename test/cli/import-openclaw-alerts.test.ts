// `clawkeeper import openclaw`: a job's failureAlert becomes an alert channel (split from
// import-openclaw.test.ts, which covers the jobs themselves).
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { importCommand } from '../../main/cli/import-openclaw.ts';
import { alertsCommand } from '../../main/cli/alerts.ts';
import { readAlertsConfig } from '../../main/core/alerts/alert-config.ts';
import { createMemoryLogger } from '../../main/core/home/logger.ts';
import { discoverSkills } from '../../main/core/skills/skill-loader.ts';
import { tempHomePerTest } from '../helpers/home.ts';
import { cronJob, writeSqliteStore, type Job } from '../helpers/openclaw-store.ts';

// Issue #20: "import openclaw maps a job's failureAlert (after, cooldown) and delivery.mode webhook".
describe('import openclaw carries failureAlert over to alert channels', () => {
  const newHome = tempHomePerTest();
  let stop: () => Promise<void> = () => Promise.resolve();
  afterEach(() => stop());
  const TOKEN = 's3cret-hook-token';

  /** A receiver for the job's failure webhook, on 127.0.0.1. */
  async function receiver() {
    const seen: { url: string; body: Record<string, unknown> }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        seen.push({ url: req.url ?? '', body: JSON.parse(body || '{}') as Record<string, unknown> });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const close = () => {
      stop = () => Promise.resolve();
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    };
    stop = close;
    return { seen, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close };
  }

  // OpenClaw's failureAlert: false | {after?, channel?, to?, cooldownMs?, includeSkipped?, mode?, accountId?}.
  const jobs = (hookUrl: string): Job[] => [
    cronJob('a1', 'Nightly report', {
      delivery: { mode: 'webhook', to: 'https://example.invalid/report' },
      failureAlert: { after: 3, cooldownMs: 600_000, mode: 'webhook', to: `${hookUrl}/alerts?token=${TOKEN}`, includeSkipped: true },
    }),
    cronJob('a2', 'Quiet job', { failureAlert: false }),
    cronJob('a3', 'Chatty job', {
      delivery: { mode: 'announce', channel: 'telegram', to: '12345' },
      failureAlert: { after: 1, cooldownMs: 60_000, accountId: 'main' },
    }),
    cronJob('a4', 'Best effort', {
      delivery: { mode: 'announce', channel: 'slack', to: 'channel:C1', bestEffort: true },
      failureAlert: { mode: 'webhook', to: 'https://hooks.example/x' },
    }),
    cronJob('a5', 'Same cooldown', { failureAlert: { after: 1, cooldownMs: 300_000, mode: 'webhook', to: 'https://hooks.example/same' } }),
    cronJob('a6', 'Phone', { failureAlert: { mode: 'webhook', to: 'https://hooks.example/phone' } }),
  ];

  function setup(hookUrl: string) {
    const t = newHome();
    writeSqliteStore(t.home, jobs(hookUrl));
    // The user's own config: a model, and a channel that happens to be named like a job's skill.
    writeFileSync(
      join(t.home, 'config.json'),
      JSON.stringify({
        gatewayPort: 4100, models: { default: { baseURL: 'http://127.0.0.1:9/v1', model: 'm' } },
        alerts: { channels: { phone: { type: 'ntfy', url: 'https://ntfy.sh/mine' } } },
      }),
    );
    return t.home;
  }

  function run(home: string, dryRun = false) {
    const lines: string[] = [];
    const code = importCommand(
      { env: { CLAWKEEPER_HOME: home }, out: (l) => lines.push(l), err: (l) => lines.push(`ERR ${l}`), logger: createMemoryLogger() },
      'openclaw', { dryRun, force: false },
    );
    const out = lines.join('\n');
    return { code, out, block: (name: string) => out.split(/\n {2}(?=\S)/).find((b) => b.startsWith(`${name}:`)) ?? '' };
  }

  const config = (home: string) => JSON.parse(readFileSync(join(home, 'config.json'), 'utf8')) as {
    alerts: { channels: Record<string, unknown>; default?: string[] }; models: unknown; gatewayPort: number;
  };
  const skill = (home: string, name: string) => JSON.parse(
    readFileSync(join(home, 'skills', name, 'skill.json'), 'utf8'),
  ) as Record<string, unknown>;

  it('the dry run shows every mapping and what is not carried over, never the URL\'s token, and writes nothing', async () => {
    const hook = await receiver();
    const home = setup(hook.url);
    const before = readFileSync(join(home, 'config.json'), 'utf8');
    const r = run(home, true);
    await hook.close();
    assert.equal(r.code, 0, r.out);
    assert.match(
      r.block('nightly-report'),
      /alerts: failureAlert webhook http:\/\/127\.0\.0\.1:\d+\/… → channel "nightly-report" in config\.json alerts\.channels, its URL in secrets\/alert-nightly-report\.url \(0600\); at the first failure, cooldown alerts\.cooldownMinutes \(5 min\): would be created/,
    );
    assert.match(r.block('nightly-report'), /note: failureAlert\.after 3 not carried over: ClawKeeper alerts at the first failing outcome/);
    assert.match(
      r.block('nightly-report'),
      /note: failureAlert\.cooldownMs 10 min not carried over: ClawKeeper has one cooldown for every alert \(config\.json alerts\.cooldownMinutes, now 5 min\)/,
    );
    assert.match(r.block('nightly-report'), /note: failureAlert\.includeSkipped not carried over/);
    assert.match(r.block('quiet-job'), /alerts: none \(failureAlert: false\) → "alerts": false/);
    assert.match(
      r.block('chatty-job'),
      /note: failureAlert to chat \(telegram 12345\) not carried over: a ClawKeeper channel holds its own credentials/,
    );
    assert.match(r.block('best-effort'), /alerts: none \(delivery\.bestEffort: OpenClaw sends no failure alert for such a job\)/);
    assert.match(
      r.block('same-cooldown'),
      /at the first failure, as after 1, cooldown 5 min, as alerts\.cooldownMinutes: would be created/,
    );
    assert.doesNotMatch(
      r.block('same-cooldown'), /note: failureAlert/,
      'after 1 and a cooldown equal to the global one are carried over whole',
    );
    assert.match(
      r.block('phone'),
      /alerts: failureAlert webhook https:\/\/hooks\.example\/… not carried over: config\.json already has a channel "phone" of its own: left as it is/,
    );
    assert.match(r.out, /config\.json alerts\.default would be set to \["phone"\]: it was absent, so every channel served every skill/);
    assert.ok(!r.out.includes(TOKEN), 'the webhook\'s token is in no plan line');
    assert.equal(readFileSync(join(home, 'config.json'), 'utf8'), before, 'config.json untouched');
    assert.equal(existsSync(join(home, 'secrets')), false);
    assert.equal(existsSync(join(home, 'skills', 'nightly-report')), false);
  });

  it('writes the channel (its URL in a 0600 file, not in config.json), names it in the skill, keeps the rest of config.json, and the channel delivers to the job\'s webhook', async () => {
    const hook = await receiver();
    const home = setup(hook.url);
    const r = run(home);
    assert.equal(r.code, 0, r.out);
    const cfg = config(home);
    assert.deepEqual(cfg.alerts.channels['nightly-report'], { type: 'webhook', urlFile: 'secrets/alert-nightly-report.url' });
    assert.deepEqual(
      cfg.alerts.channels.phone, { type: 'ntfy', url: 'https://ntfy.sh/mine' },
      "the user's channel of that name is left as it was",
    );
    assert.deepEqual(cfg.alerts.default, ['phone'], 'what served every skill before still does; the new channels serve only their skills');
    assert.deepEqual([cfg.gatewayPort, cfg.models], [4100, { default: { baseURL: 'http://127.0.0.1:9/v1', model: 'm' } }]);
    assert.ok(!readFileSync(join(home, 'config.json'), 'utf8').includes(TOKEN), 'no token in config.json');
    const secret = join(home, 'secrets', 'alert-nightly-report.url');
    assert.equal(statSync(secret).mode & 0o777, 0o600);
    assert.equal(readFileSync(secret, 'utf8').trim(), `${hook.url}/alerts?token=${TOKEN}`);

    assert.deepEqual(skill(home, 'nightly-report').alerts, ['nightly-report']);
    assert.deepEqual(
      skill(home, 'nightly-report').deliver, { webhook: 'https://example.invalid/report' },
      'delivery.mode webhook is still the reply\'s delivery',
    );
    assert.equal(skill(home, 'quiet-job').alerts, false);
    assert.equal(skill(home, 'best-effort').alerts, false);
    assert.equal(skill(home, 'chatty-job').alerts, undefined, 'a chat alert is not carried over: alerts.default serves it');
    assert.equal(skill(home, 'phone').alerts, undefined, 'a skill never names a channel the import did not write');
    assert.deepEqual(
      discoverSkills(null, join(home, 'skills')).filter((s) => !s.manifest).map((s) => s.problems), [],
      'every skill is valid',
    );
    const read = readAlertsConfig(join(home, 'config.json'));
    assert.deepEqual(read.problems, [], 'the alerts config reads without a problem');

    const lines: string[] = [];
    const code = await alertsCommand(
      { env: { CLAWKEEPER_HOME: home }, out: (l) => lines.push(l), err: (l) => lines.push(`ERR ${l}`), logger: createMemoryLogger() },
      'test', 'nightly-report',
    );
    await hook.close();
    assert.equal(code, 0, lines.join('\n'));
    assert.equal(hook.seen.length, 1);
    assert.equal(hook.seen[0]!.url, `/alerts?token=${TOKEN}`, 'the alert reaches the job\'s own webhook, token and all');
    assert.equal(hook.seen[0]!.body.event, 'test');
  });

  it('a second import changes nothing, and never overwrites a channel or a URL file edited since', async () => {
    const hook = await receiver();
    const home = setup(hook.url);
    run(home);
    const cfgText = readFileSync(join(home, 'config.json'), 'utf8');
    const again = run(home);
    assert.doesNotMatch(again.out, /: (created|updated|would be created)$|alerts\.default (is|would be) set/m);
    assert.match(again.block('nightly-report'), /: already there/);
    assert.equal(readFileSync(join(home, 'config.json'), 'utf8'), cfgText, 'config.json byte for byte');

    // The user points the channel elsewhere, and replaces another imported channel with their own.
    writeFileSync(join(home, 'secrets', 'alert-nightly-report.url'), 'https://mine.example/hook\n', { mode: 0o600 });
    const cfg = config(home);
    cfg.alerts.channels['same-cooldown'] = { type: 'slack', urlEnv: 'MY_SLACK' };
    writeFileSync(join(home, 'config.json'), JSON.stringify(cfg));
    const third = run(home);
    await hook.close();
    assert.match(third.block('nightly-report'), /secrets\/alert-nightly-report\.url holds another URL: left as it is/);
    assert.equal(readFileSync(join(home, 'secrets', 'alert-nightly-report.url'), 'utf8'), 'https://mine.example/hook\n');
    assert.deepEqual(skill(home, 'nightly-report').alerts, ['nightly-report'], 'still its own channel');
    assert.match(third.block('same-cooldown'), /not carried over: config\.json already has a channel "same-cooldown" of its own/);
    assert.deepEqual(config(home).alerts.channels['same-cooldown'], { type: 'slack', urlEnv: 'MY_SLACK' });
    assert.equal(skill(home, 'same-cooldown').alerts, undefined, 'the skill no longer names a channel that is not the import\'s');
  });

  it('a config.json that is not JSON is left alone: the plan says why and no skill names a channel', async () => {
    const hook = await receiver();
    const home = setup(hook.url);
    writeFileSync(join(home, 'config.json'), '{"alerts": ');
    const r = run(home);
    await hook.close();
    assert.equal(r.code, 0, r.out);
    assert.match(r.block('nightly-report'), /not carried over: .*config\.json is not readable JSON; fix it and import again/);
    assert.equal(readFileSync(join(home, 'config.json'), 'utf8'), '{"alerts": ');
    assert.equal(skill(home, 'nightly-report').alerts, undefined);
    assert.equal(skill(home, 'quiet-job').alerts, false);
  });
});
