// A channel's error text is stored (alerts/outbox.json), logged, and shown (/api/health, the
// dashboard): a server's error page or a library's error that quotes the bot token, the hook URL
// or a header must not carry the secret there. Against a real local HTTP server that echoes what
// it was sent, as a misconfigured proxy or a wrong apiBase does.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { redactSecrets } from '../../../main/core/alerts/alert-send.ts';
import { FakeClock } from '../../../main/core/scheduling/clock.ts';
import { tempHomePerTest } from '../../helpers/home.ts';
import { alert, service, writeConfig, writeSecret } from './fixtures.ts';

const TOKEN = '123456:AAE-secret_bot_token';
const newHome = tempHomePerTest('ck-redact-');

/** Answers 404 `Cannot POST <path>` (Express's words), its path URL-encoded too, or a long page with the header at its end. */
async function startEcho(): Promise<{ url: string; close: () => Promise<void> }> {
  const srv: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const path = req.url ?? '';
      if (path.startsWith('/long')) {
        // The Authorization header straddles the 200th character of the answer.
        res.writeHead(401, { 'content-type': 'text/plain' });
        return res.end(`${'x'.repeat(150)} bad credentials ${req.headers.authorization ?? ''}`);
      }
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end(`<pre>Cannot POST ${path}</pre> (asked for ${encodeURIComponent(path)})`);
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((r) => srv.close(() => r())) };
}

describe('secrets in a channel\'s error text', () => {
  let echo: Awaited<ReturnType<typeof startEcho>>;
  before(async () => {
    echo = await startEcho();
  });
  after(() => echo.close());

  it('a Telegram apiBase that quotes the request path shows [secret] for the bot token in the view, the outbox and the log', async () => {
    const { home } = newHome();
    writeSecret(home, 'secrets/tg', TOKEN);
    writeConfig(home, { alerts: { channels: { tg: { type: 'telegram', botTokenFile: 'secrets/tg', chatId: '1', apiBase: echo.url } } } });
    const { svc, logger } = service(home, new FakeClock('2026-03-01T09:00:00Z'));
    svc.enqueue(alert({ at: '2026-03-01T09:00:00.000Z' }));
    await svc.pump();
    const lastError = svc.view().targets[0]!.lastError!.message;
    assert.match(lastError, /^HTTP 404 <pre>Cannot POST \[secret\]<\/pre> \(asked for \[secret\]\)$/);
    const outbox = join(home, 'alerts', 'outbox.json');
    assert.ok(existsSync(outbox));
    const stored = readFileSync(outbox, 'utf8') + logger.lines.join('\n');
    assert.match(stored, /Cannot POST \[secret\]/);
    for (const form of [TOKEN, encodeURIComponent(TOKEN), 'AAE-secret_bot_token']) {
      assert.ok(!stored.includes(form) && !lastError.includes(form), `no ${form} in what is kept`);
    }
  });

  it('a token cut by the answer\'s length limit leaves no part of it behind', async () => {
    const { home } = newHome();
    writeSecret(home, 'secrets/ntfy', 'tk_ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789');
    writeConfig(home, { alerts: { channels: { phone: { type: 'ntfy', url: `${echo.url}/long`, tokenFile: 'secrets/ntfy' } } } });
    const { svc } = service(home, new FakeClock('2026-03-01T09:00:00Z'));
    const [r] = await svc.test();
    assert.equal(r!.ok, false);
    assert.match(r!.answer, /^HTTP 401 x+ bad credentials Bearer \[secret\]$/);
    assert.doesNotMatch(r!.answer, /tk_/);
  });

  it('an ntfy token file with a second line is refused, naming the file, and the token is in no error', async () => {
    const { home } = newHome();
    writeSecret(home, 'secrets/ntfy', 'tk_SECRET\nsecondline');
    writeConfig(home, { alerts: { channels: { phone: { type: 'ntfy', url: `${echo.url}/topic`, tokenFile: 'secrets/ntfy' } } } });
    const { svc } = service(home, new FakeClock('2026-03-01T09:00:00Z'));
    const [r] = await svc.test();
    assert.equal(r!.ok, false);
    assert.equal(
      r!.answer,
      `alerts.channels.phone.tokenFile: ${join(home, 'secrets/ntfy')} holds a line break (at character 10): a secret is one line of printable ASCII; fix it and try again`,
    );
    assert.ok(!JSON.stringify(svc.view()).includes('tk_SECRET'));
  });

  it('a secret file\'s trailing newline is trimmed, and a non-ASCII or control character in an environment variable is refused by name', async () => {
    const { home } = newHome();
    writeSecret(home, 'secrets/ntfy', 'tk_fine');
    writeConfig(home, {
      alerts: {
        channels: {
          a: { type: 'ntfy', url: `${echo.url}/long`, tokenFile: 'secrets/ntfy' },
          b: { type: 'ntfy', url: `${echo.url}/t`, tokenEnv: 'NTFY_B' },
          c: { type: 'ntfy', url: `${echo.url}/t`, tokenEnv: 'NTFY_C' },
        },
      },
    });
    const { svc } = service(home, new FakeClock('2026-03-01T09:00:00Z'), { env: { NTFY_B: 'tk_caf\u00e9', NTFY_C: 'tk_a\u0007b' } });
    const answers = await svc.test();
    assert.match(answers[0]!.answer, /Bearer \[secret\]$/, 'the file\'s token was sent without its newline');
    assert.equal(
      answers[1]!.answer,
      'alerts.channels.b.tokenEnv: the environment variable NTFY_B holds a non-ASCII character (at character 7): a secret is one line of printable ASCII; fix it and try again',
    );
    assert.match(
      answers[2]!.answer,
      /^alerts\.channels\.c\.tokenEnv: the environment variable NTFY_C holds a control character \(at character 5\)/,
    );
  });
});

describe('redactSecrets', () => {
  it('blanks a secret as it is, URL-encoded, JSON-escaped, and a URL whole or by its path', () => {
    const url = 'https://hooks.example.test/services/T0/B0/hook-token';
    const text = `posted to ${url}; path /services/T0/B0/hook-token; pw p%40ss%2Fw0rd and "p@ss/w0rd" and q\\"uote`;
    assert.equal(
      redactSecrets(text, [url, 'p@ss/w0rd', 'q"uote']),
      'posted to [secret]; path [secret]; pw [secret] and "[secret]" and [secret]',
    );
  });

  it('leaves text alone when there is no secret to blank', () => {
    assert.equal(redactSecrets('HTTP 503 try later', ['', 'absent']), 'HTTP 503 try later');
  });
});
