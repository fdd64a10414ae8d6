import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseStatusLine } from '../../../main/common/status-line.ts';
import { Host } from '../../../main/core/host/host.ts';
import { createMemoryLogger } from '../../../main/core/home/logger.ts';
import { loadSkill } from '../../../main/core/skills/skill-loader.ts';
import { runCli } from '../../helpers/cli.ts';
import { tempHome, writeSkill } from '../../helpers/home.ts';
import { writeConfig } from './fixtures.ts';

describe('skill.json alerts and ping, and what alerts keep to themselves', () => {
  it('accepts alerts as a list of channel names or false, and ping as an http(s) URL; names the field of anything else', () => {
    const t = tempHome();
    const ok = loadSkill(
      writeSkill(t.home, 'ok', { schedule: '* * * * *', command: ['true'], alerts: ['phone', 'team'], ping: 'https://hc-ping.com/5f0e/' }),
      'ok', 'user',
    );
    assert.deepEqual(ok.problems, []);
    assert.deepEqual(ok.manifest!.alerts, ['phone', 'team']);
    assert.equal(ok.manifest!.ping, 'https://hc-ping.com/5f0e', 'a trailing slash is dropped: <url>/start stays one path');
    const off = loadSkill(writeSkill(t.home, 'off', { schedule: '* * * * *', command: ['true'], alerts: false }), 'off', 'user');
    assert.equal(off.manifest!.alerts, false);
    const bad = loadSkill(
      writeSkill(t.home, 'bad', {
        schedule: '* * * * *', command: ['true'], alerts: 'phone', ping: 'https://user:pw@hc-ping.com/x?token=1',
      }),
      'bad', 'user',
    );
    assert.equal(bad.manifest, null);
    const byField = Object.fromEntries(bad.problems.map((p) => [p.field, p.message]));
    assert.match(byField.alerts!, /must be false \(no alerts\) or a list of channel names/);
    assert.match(byField.ping!, /must be an http\(s\) URL without user:password or query/);
    t.cleanup();
  });

  it('an alert secret in the host environment never reaches a run, even one that asks for it by name', async () => {
    const t = tempHome();
    writeConfig(t.home, {
      alerts: {
        channels: {
          chat: { type: 'discord', urlEnv: 'DISCORD_WEBHOOK' },
          mail: { type: 'email', smtp: 'smtp://127.0.0.1:1', passwordEnv: 'SMTP_PASSWORD', from: 'a@b.c', to: 'd@e.f' },
        },
      },
    });
    const dump = ['sh', '-c', 'printf \'{"hook":"%s","pw":"%s"}\\n\' "${DISCORD_WEBHOOK:-none}" "${SMTP_PASSWORD:-none}"'];
    writeSkill(t.home, 'asker', { schedule: '0 0 1 1 *', command: dump, inheritEnv: ['DISCORD_WEBHOOK', 'SMTP_PASSWORD'] });
    const r = await runCli(t.home, ['run', 'asker'], {
      DISCORD_WEBHOOK: 'https://discord.test/api/webhooks/1/secret', SMTP_PASSWORD: 'pw-secret',
    });
    assert.equal(r.code, 0, r.out + r.err);
    const status = parseStatusLine(readFileSync(join(t.home, 'skills', 'status', 'asker.txt'), 'utf8'))!;
    assert.equal(status.hook, 'none');
    assert.equal(status.pw, 'none');
    t.cleanup();
  });

  it('a host that stopped cleanly is not reported as restarted after an unclean stop; one whose lock was left behind is', async () => {
    const t = tempHome();
    const start = async () => {
      const h = new Host({ home: t.home, bundledSkillsDir: null, logger: createMemoryLogger(), useTrigger: false });
      await h.start();
      return h;
    };
    const first = await start();
    await first.stop();
    const second = await start();
    assert.equal(second.uncleanStop, null);
    // What kill -9 leaves: the lock file with a pid that is gone.
    await second.stop();
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(t.home, 'host.lock'), '999999');
    const third = await start();
    assert.equal(third.uncleanStop?.pid, process.pid, 'the pid the previous host wrote in runs/_host.json');
    assert.ok(third.uncleanStop.lastAlive);
    await third.stop();
    t.cleanup();
  });
});
