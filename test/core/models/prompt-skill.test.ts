import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FakeClock } from '../../../main/core/scheduling/clock.ts';
import { type OpenAIServer } from '../../helpers/openai-server.ts';
import { readLedger, writeSkill } from '../../helpers/home.ts';
import { runCli } from '../../helpers/cli.ts';
import { localHost, modelHomePerTest, readStatus, runOnce } from '../../helpers/model-home.ts';

describe('prompt skills: the runner sends the prompt and saves the reply', () => {
  let server: OpenAIServer | null = null;
  const modelHome = modelHomePerTest();

  async function home(text = 'Three things happened today.') {
    const m = await modelHome({ fallback: { text }, model: { timeoutMs: 5000 } });
    server = m.server;
    return m.home;
  }

  it('fills in {{date}}, {{slot}} and {{skill}}, saves the reply under outputs/<skill>/<slot in its zone>.md and records output and tokens', async () => {
    const h = await home();
    writeSkill(h, 'brief', {
      schedule: '30 7 * * *', timezone: 'Europe/Berlin', model: true,
      prompt: 'Summarize {{date}} for {{skill}} (slot {{slot}}).',
    });
    const clock = new FakeClock('2026-01-10T06:30:00Z');
    const host = localHost(h, clock);
    host.dispatch({ skill: 'brief', slot: '2026-01-10T06:30:00.000Z', trigger: 'schedule' });
    await host.idle();
    const end = readLedger(h, 'brief').find((e) => e.type === 'end')!;
    assert.equal(end.outcome, 'success', String(end.error));
    assert.deepEqual(server!.requests[0]!.body.messages, [{
      role: 'user', content: 'Summarize 2026-01-10 for brief (slot 2026-01-10T06:30:00.000Z).',
    }]);
    const file = join(h, 'outputs', 'brief', '2026-01-10T073000.md');
    assert.equal(readFileSync(file, 'utf8'), 'Three things happened today.\n');
    const status = readStatus(h, 'brief');
    assert.equal(status.output, join('outputs', 'brief', '2026-01-10T073000.md'));
    assert.equal(status.tokens, '20');
    assert.equal(status.delivery, undefined);
  });

  it('reads promptFile from the skill folder; a manual run adds its run id to the file name', async () => {
    const h = await home();
    const dir = writeSkill(h, 'from-file', { schedule: '0 9 * * *', model: true, promptFile: 'prompt.md' });
    writeFileSync(join(dir, 'prompt.md'), 'Hello from {{skill}}');
    const { end, status } = await runOnce(h, 'from-file');
    assert.equal(end.outcome, 'success', end.error);
    assert.equal((server!.requests[0]!.body.messages as { content: string }[])[0]!.content, 'Hello from from-file');
    assert.match(status.output!, new RegExp(`^outputs/from-file/\\d{4}-\\d{2}-\\d{2}T\\d{6}-${end.run_id}\\.md$`));
    assert.ok(existsSync(join(h, status.output!)));
  });

  it('sends a promptFile far larger than an environment variable may be (it travels over IPC)', async () => {
    const h = await home();
    const dir = writeSkill(h, 'big', { schedule: '0 9 * * *', model: true, promptFile: 'prompt.md' });
    const text = '日本語のテキスト。'.repeat(40_000); // ~1 MB of UTF-8; Linux caps one variable at 128 KiB
    writeFileSync(join(dir, 'prompt.md'), text);
    const { end } = await runOnce(h, 'big');
    assert.equal(end.outcome, 'success', end.error);
    assert.equal((server!.requests[0]!.body.messages as { content: string }[])[0]!.content, text);
  });

  it('posts {skill, slot, text} to deliver.webhook', async (t) => {
    const h = await home('the reply');
    const got: unknown[] = [];
    const hook = createServer((req, res) => {
      let b = '';
      req.on('data', (c: Buffer) => (b += c.toString()));
      req.on('end', () => {
        got.push(JSON.parse(b));
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    t.after(() => new Promise((r) => hook.close(r)));
    writeSkill(h, 'hooked', {
      schedule: '0 9 * * *', model: true, prompt: 'hi',
      deliver: { webhook: `http://127.0.0.1:${(hook.address() as { port: number }).port}/in` },
    });
    const { end, status } = await runOnce(h, 'hooked');
    assert.equal(end.outcome, 'success');
    assert.deepEqual(end.delivery, { status: 'delivered' });
    assert.equal(status.delivery, 'delivered');
    assert.deepEqual(got, [{ skill: 'hooked', slot: null, text: 'the reply' }]);
  });

  it('records delivery=failed when the webhook keeps failing, and the run is still a success', async (t) => {
    const h = await home();
    let calls = 0;
    const hook = createServer((_req, res) => {
      calls++;
      res.writeHead(502).end();
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    t.after(() => new Promise((r) => hook.close(r)));
    writeSkill(h, 'hooked', {
      schedule: '0 9 * * *', model: true, prompt: 'hi',
      deliver: { webhook: `http://127.0.0.1:${(hook.address() as { port: number }).port}/in?token=abc` },
    });
    const { end, status } = await runOnce(h, 'hooked');
    assert.equal(end.outcome, 'success');
    assert.equal(status.status, 'success');
    assert.equal(status.delivery, 'failed');
    assert.equal(end.delivery!.status, 'failed');
    assert.match(end.delivery!.error!, /HTTP 502/);
    assert.doesNotMatch(end.delivery!.error!, /token=abc/, 'the webhook URL may hold a secret');
    assert.equal(calls, 3, 'retried');
    assert.ok(existsSync(join(h, status.output!)), 'the reply is saved whatever the delivery');
    // Not fine though (#17): `status` says the output was not delivered, in its state, reason and last run.
    const json = JSON.parse((await runCli(h, ['status', '--json'])).out) as {
      mode: string; skills: { name: string; state: string; reason: string }[];
    };
    const hooked = json.skills.find((k) => k.name === 'hooked')!;
    assert.equal(hooked.state, 'failing');
    assert.match(hooked.reason, /output was not delivered: .*HTTP 502/);
    const text = (await runCli(h, ['status'])).out;
    assert.match(text, /^hooked\s+failing\s.*success, not delivered: /m);
  });
});
