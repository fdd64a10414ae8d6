import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { FakeClock } from '../../../main/core/scheduling/clock.ts';
import { readAlertsConfig } from '../../../main/core/alerts/alert-config.ts';
import { tempHome } from '../../helpers/home.ts';
import { freePort } from '../../helpers/net.ts';
import { startRecorder, type Recorder } from '../../helpers/recorder.ts';
import { alert, service, writeConfig, writeSecret } from './fixtures.ts';

interface Mail {
  from: string;
  to: string[];
  user: string | undefined;
  data: string;
}

/** A real SMTP server (smtp-server), plain and with AUTH, as a small mail host would be. */
async function startSmtp(): Promise<{ port: number; mails: Mail[]; close: () => Promise<void> }> {
  const mails: Mail[] = [];
  const srv = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === 'ck-user' && auth.password === 's3cret-pw') cb(null, { user: auth.username });
      else cb(new Error('Invalid username or password'));
    },
    onData(stream, session, cb) {
      let data = '';
      stream.setEncoding('utf8');
      stream.on('data', (c: string) => (data += c));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address), user: session.user as string | undefined, data,
        });
        cb();
      });
    },
  });
  const port = await freePort();
  await new Promise<void>((r) => srv.listen(port, '127.0.0.1', () => r()));
  return { port, mails, close: () => new Promise<void>((r) => srv.close(() => r())) };
}

describe('alert channels, each against a real local server', () => {
  const t = tempHome();
  let rec: Recorder;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  const env = { DISCORD_WEBHOOK: '', SMTP_USER: 'ck-user' };

  before(async () => {
    rec = await startRecorder();
    smtp = await startSmtp();
    env.DISCORD_WEBHOOK = `${rec.url}/api/webhooks/42/discord-token`;
    writeSecret(t.home, 'secrets/slack-url', `${rec.url}/services/T0/B0/slack-token`);
    writeSecret(t.home, 'secrets/tg', '123:tg-bot-token');
    writeSecret(t.home, 'secrets/ntfy', 'tk_ntfy-token');
    writeSecret(t.home, 'secrets/smtp', 's3cret-pw');
    writeConfig(t.home, {
      alerts: {
        channels: {
          hook: { type: 'webhook', url: `${rec.url}/alerts` },
          phone: { type: 'ntfy', url: `${rec.url}/my-topic`, tokenFile: 'secrets/ntfy' },
          team: { type: 'slack', urlFile: 'secrets/slack-url' },
          chat: { type: 'discord', urlEnv: 'DISCORD_WEBHOOK' },
          tg: { type: 'telegram', botTokenFile: 'secrets/tg', chatId: '12345', apiBase: rec.url },
          mail: {
            type: 'email', smtp: `smtp://127.0.0.1:${smtp.port}`, userEnv: 'SMTP_USER', passwordFile: 'secrets/smtp',
            from: 'ck@example.test', to: 'me@example.test',
          },
        },
        default: ['hook', 'phone', 'team', 'chat', 'tg', 'mail'],
      },
    });
  });
  after(async () => {
    await rec.close();
    await smtp.close();
    t.cleanup();
  });

  it('delivers one failing skill to all six channel types, each in its own format, with the same facts', async () => {
    const clock = new FakeClock('2026-03-01T08:00:05Z');
    const { svc } = service(t.home, clock, { env });
    svc.enqueue(alert());
    await svc.pump();
    const by = (path: string) => rec.requests.find((r) => r.path === path);

    const hook = by('/alerts')!;
    assert.equal(hook.method, 'POST');
    assert.equal(hook.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(hook.body), {
      event: 'skill-failing', skill: 'backup', outcome: 'failure', runId: 'r-1', slot: '2026-03-01T08:00:00.000Z',
      message: 'Its run failure: disk unreachable.', at: '2026-03-01T08:00:05.000Z', host: 'mac-mini',
    });

    const ntfy = by('/my-topic')!;
    assert.equal(ntfy.headers.title, 'backup is failing');
    assert.equal(ntfy.headers.priority, '4');
    assert.equal(ntfy.headers.tags, 'warning,skill-failing');
    assert.equal(ntfy.headers.authorization, 'Bearer tk_ntfy-token');
    assert.match(
      ntfy.body,
      /^Its run failure: disk unreachable\.\nskill backup, outcome failure, run r-1, slot 2026-03-01T08:00:00\.000Z\non mac-mini$/,
    );

    const slack = JSON.parse(by('/services/T0/B0/slack-token')!.body) as { text: string };
    assert.match(slack.text, /^\*backup is failing\*\nIts run failure: disk unreachable\./);
    const discord = JSON.parse(by('/api/webhooks/42/discord-token')!.body) as { content: string };
    assert.match(discord.content, /^\*\*backup is failing\*\*\nIts run failure/);
    const tg = JSON.parse(by('/bot123:tg-bot-token/sendMessage')!.body) as {
      chat_id: string; text: string; disable_web_page_preview: boolean;
    };
    assert.equal(tg.chat_id, '12345');
    assert.match(tg.text, /^backup is failing\nIts run failure/);

    assert.equal(smtp.mails.length, 1);
    const mail = smtp.mails[0]!;
    assert.equal(mail.user, 'ck-user', 'logged in with the user from SMTP_USER and the password from the 0600 file');
    assert.equal(mail.from, 'ck@example.test');
    assert.deepEqual(mail.to, ['me@example.test']);
    assert.match(mail.data, /Subject: \[ClawKeeper mac-mini\] backup is failing/);
    assert.match(mail.data, /event: skill-failing/);

    const view = svc.view();
    assert.deepEqual(
      view.targets.map((x) => [x.name, x.lastDelivery !== null, x.lastError]),
      ['hook', 'phone', 'team', 'chat', 'tg', 'mail'].map((n) => [n, true, null]),
    );
    assert.equal(svc.pendingCount, 0);
  });

  it('a channel whose server answers an error keeps the alert, shows the error, and retries after a backoff', async () => {
    const t2 = tempHome();
    const clock = new FakeClock('2026-03-01T09:00:00Z');
    writeConfig(t2.home, { alerts: { channels: { hook: { type: 'webhook', url: `${rec.url}/flaky` } } } });
    const { svc } = service(t2.home, clock);
    rec.answer(503, 'try later');
    svc.enqueue(alert({ at: '2026-03-01T09:00:00.000Z' }));
    await svc.pump();
    assert.equal(svc.pendingCount, 1);
    assert.deepEqual(svc.view().targets[0]!.lastError, { at: '2026-03-01T09:00:00.000Z', message: 'HTTP 503 try later' });
    const tries = () => rec.requests.filter((r) => r.path === '/flaky').length;
    clock.advance(4000);
    await svc.pump();
    assert.equal(tries(), 1, 'not before the 5 s backoff');
    rec.answer(200);
    clock.advance(1000);
    await svc.pump();
    assert.equal(tries(), 2);
    assert.equal(svc.pendingCount, 0);
    const body = JSON.parse(rec.requests.filter((r) => r.path === '/flaky')[1]!.body) as { delayed?: boolean };
    assert.equal(body.delayed, true, 'an alert that waited says so');
    t2.cleanup();
  });

  it('refuses a secret written in config.json and a secret file others can read, naming the field and what to do', async () => {
    const t3 = tempHome();
    writeSecret(t3.home, 'secrets/open', `${rec.url}/x`, 0o644);
    writeConfig(t3.home, {
      alerts: {
        channels: {
          team: { type: 'slack', url: 'https://hooks.slack.com/services/T/B/token' },
          open: { type: 'discord', urlFile: 'secrets/open' }, ok: { type: 'webhook', url: `${rec.url}/ok` },
        },
      },
    });
    const cfg = readAlertsConfig(join(t3.home, 'config.json'));
    assert.deepEqual([...cfg.channels.keys()], ['open', 'ok'], 'the bad channel is left out, the others load');
    assert.match(
      cfg.problems.join('\n'),
      /alerts\.channels\.team\.url: a secret is never read from config\.json; put it in a 0600 file named by "urlFile" or an environment variable named by "urlEnv"/,
    );
    const { svc } = service(t3.home, new FakeClock('2026-03-01T10:00:00Z'));
    const answers = await svc.test();
    const open = answers.find((a) => a.channel === 'open')!;
    assert.equal(open.ok, false);
    assert.match(open.answer, /secrets\/open is readable by others \(mode 644\): chmod 600 it/);
    assert.equal(answers.find((a) => a.channel === 'ok')!.ok, true);
    assert.ok(!JSON.stringify(svc.view()).includes('token'), 'the view never holds a secret');
    assert.ok(!readFileSync(join(t3.home, 'alerts', 'outbox.json'), 'utf8').includes(rec.url + '/x'), 'nor does the outbox');
    t3.cleanup();
  });
});
