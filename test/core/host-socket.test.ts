import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { callHost } from '../../main/cli/host-client.ts';
import { startHeadless } from '../../main/core/app/headless.ts';
import { Host } from '../../main/core/host/host.ts';
import { startHostSocket } from '../../main/core/front/host-socket.ts';
import { createMemoryLogger } from '../../main/core/home/logger.ts';
import { homePaths } from '../../main/core/home/paths.ts';
import { runCli } from '../helpers/cli.ts';
import { readLedger, tempHome, waitFor, writeSkill } from '../helpers/home.ts';
import { hostForSuite, http, startHostProcess } from '../helpers/host-process.ts';
import { freePort } from '../helpers/net.ts';

const YEARLY = '0 0 1 1 *';

/** Writes raw lines to host.sock and collects reply lines until `count` arrived or it closed. */
function rawExchange(path: string, payload: string, count: number): Promise<{ replies: Record<string, unknown>[]; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const sock = connect(path);
    let buf = '';
    const replies: Record<string, unknown>[] = [];
    const timer = setTimeout(() => reject(new Error(`only ${replies.length} replies: ${buf}`)), 10_000);
    const finish = (closed: boolean) => {
      clearTimeout(timer);
      sock.destroy();
      resolve({ replies, closed });
    };
    sock.setEncoding('utf8');
    sock.on('connect', () => sock.write(payload));
    sock.on('data', (c: string) => {
      buf += c;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        replies.push(JSON.parse(buf.slice(0, nl)) as Record<string, unknown>);
        buf = buf.slice(nl + 1);
      }
      if (replies.length >= count) finish(false);
    });
    sock.on('error', () => undefined);
    sock.on('close', () => finish(true));
  });
}

const endOf = (home: string, skill: string, runId: unknown) => readLedger(home, skill).find((e) => e.type === 'end' && e.run_id === runId);

describe('host.sock, served by a real headless host', () => {
  const h = hostForSuite((home) => {
    writeSkill(home, 'quick', { schedule: YEARLY }, 'ok.mjs');
    writeSkill(home, 'slow', { schedule: YEARLY, env: { SLEEP_MS: '1500' } }, 'ok.mjs');
    writeSkill(home, 'broken', { schedule: 'nope' }, 'ok.mjs');
  });

  it('lives in the home folder with mode 0600, and its status is what `status --json` prints', async () => {
    const sock = homePaths(h.home).hostSocket;
    assert.ok(statSync(sock).isSocket());
    assert.equal(statSync(sock).mode & 0o777, 0o600);
    const r = await callHost(h.home, { id: 7, op: 'status' });
    assert.ok(r?.ok, JSON.stringify(r));
    assert.equal(r.id, 7);
    const cli = await runCli(h.home, ['status', '--json']);
    const fromFiles = JSON.parse(cli.out) as { skills: { name: string; state: string }[]; layers: Record<string, { status: string }> };
    const fromHost = r.result as typeof fromFiles;
    assert.deepEqual(fromHost.skills.map((s) => [s.name, s.state]), fromFiles.skills.map((s) => [s.name, s.state]));
    assert.deepEqual(Object.keys(fromHost.layers), Object.keys(fromFiles.layers));
  });

  it('run starts the skill in the host, and the run ends in its ledger as manual', async () => {
    const r = await callHost(h.home, { id: 1, op: 'run', skill: 'quick' });
    assert.ok(r?.ok, JSON.stringify(r));
    const { run_id: runId, queued } = r.result as { run_id: string; queued: boolean };
    assert.equal(queued, false);
    assert.match(runId, /^[a-z0-9]+-[0-9a-f]{8}$/);
    const end = await waitFor('the end entry', () => endOf(h.home, 'quick', runId));
    assert.equal(end.trigger, 'manual');
    assert.equal(end.outcome, 'success');
  });

  it('pause and resume change the paused skills file', async () => {
    const paused = () => JSON.parse(readFileSync(join(h.home, 'runs', '_paused.json'), 'utf8')) as unknown;
    const p = await callHost(h.home, { id: 2, op: 'pause', skill: 'quick' });
    assert.deepEqual(p, { id: 2, ok: true, result: { paused: true } });
    assert.match(JSON.stringify(paused()), /"quick"/);
    const r = await callHost(h.home, { id: 3, op: 'resume', skill: 'quick' });
    assert.deepEqual(r, { id: 3, ok: true, result: { paused: false } });
    assert.doesNotMatch(JSON.stringify(paused()), /"quick"/);
  });

  it('run-once hands a slot to the host once: asked again for the same slot, it is done and nothing starts', async () => {
    const first = await callHost(h.home, { id: 4, op: 'run-once', skill: 'quick', slot: '2026-01-01T00:00Z' });
    assert.ok(first?.ok, JSON.stringify(first));
    const r1 = first.result as { run_id: string; queued: boolean; done: boolean };
    assert.equal(r1.done, false);
    const end = await waitFor('the run-once end', () => endOf(h.home, 'quick', r1.run_id));
    assert.equal(end.slot, '2026-01-01T00:00:00.000Z');
    assert.equal(end.trigger, 'schedule');
    const again = await callHost(h.home, { id: 5, op: 'run-once', skill: 'quick', slot: '2026-01-01T00:00:00.000Z' });
    assert.deepEqual(again, { id: 5, ok: true, result: { run_id: null, queued: false, done: true } });
    assert.equal(readLedger(h.home, 'quick').filter((e) => e.slot === '2026-01-01T00:00:00.000Z' && e.type === 'start').length, 1);
  });

  it('login-code gives a one-time code the gateway accepts once', async () => {
    const r = await callHost(h.home, { id: 6, op: 'login-code' });
    assert.ok(r?.ok, JSON.stringify(r));
    const { code, expiresInSeconds } = r.result as { code: string; expiresInSeconds: number };
    assert.equal(expiresInSeconds, 60);
    const login = (c: string) => http(h.gatewayPort, 'POST', '/api/login', {
      headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: c }),
    });
    assert.equal((await login(code)).status, 200);
    assert.equal((await login(code)).status, 401);
  });

  it('`clawkeeper open` prints a login link whose code comes over the socket', async () => {
    const r = await runCli(h.home, ['open'], { CLAWKEEPER_GATEWAY_PORT: String(h.gatewayPort) });
    assert.equal(r.code, 0, r.err);
    const code = new RegExp(`^http://127\\.0\\.0\\.1:${h.gatewayPort}/login#code=(\\S+)$`, 'm').exec(r.out)?.[1];
    assert.ok(code, r.out);
    const login = await http(h.gatewayPort, 'POST', '/api/login', {
      headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }),
    });
    assert.equal(login.status, 200);
  });

  it('bad frames get error replies, in order, and the host keeps answering', async () => {
    const path = homePaths(h.home).hostSocket;
    const lines = [
      'not json', JSON.stringify({ id: 10, op: 'explode' }), JSON.stringify({ id: 11, op: 'run', skill: 'nope' }),
      JSON.stringify({ id: 12, op: 'run', skill: 'broken' }),
      JSON.stringify({ id: 13, op: 'run-once', skill: 'quick', slot: 'yesterday' }),
      JSON.stringify({ id: 14, op: 'run' }), JSON.stringify({ op: 'status' }), '[1,2]',
      JSON.stringify({ id: 15, op: 'status' }),
    ];
    const { replies } = await rawExchange(path, lines.join('\n') + '\n', lines.length);
    const codes = replies.map((r) => [r.id, r.ok, (r.error as { code?: string } | undefined)?.code ?? null]);
    assert.deepEqual(codes, [
      [null, false, 'CK_INVALID_JSON'],
      [10, false, 'CK_BAD_REQUEST'],
      [11, false, 'CK_NOT_FOUND'],
      [12, false, 'CK_SKILL_INVALID'],
      [13, false, 'CK_BAD_REQUEST'],
      [14, false, 'CK_BAD_REQUEST'],
      [null, false, 'CK_BAD_REQUEST'],
      [null, false, 'CK_BAD_REQUEST'],
      [15, true, null],
    ]);
    assert.match(String((replies[3]!.error as { message: string }).message), /skill "broken" is invalid and cannot run: schedule/);
    // A line past 64 KiB with no end in sight: one error reply, and nothing kept of it.
    const big = await rawExchange(path, '{"id":1,"op":"status","pad":"' + 'x'.repeat(200 * 1024), 1);
    assert.equal((big.replies[0]!.error as { code: string }).code, 'CK_BODY_TOO_LARGE');
    // A long line that does end is refused on its own; the next line on the connection is answered.
    const long = await rawExchange(
      path,
      JSON.stringify({ id: 20, op: 'status', pad: 'x'.repeat(65 * 1024) }) + '\n' + JSON.stringify({ id: 21, op: 'status' }) + '\n',
      2,
    );
    assert.deepEqual(long.replies.map((r) => [r.id, r.ok]), [[null, false], [21, true]]);
    const still = await callHost(h.home, { id: 22, op: 'status' });
    assert.equal(still?.ok, true);
    assert.equal(h.proc.exitCode, null);
  });

  it('two `clawkeeper run` of a running skill at once never run it twice at the same time', async () => {
    const before = readLedger(h.home, 'slow').length;
    const [a, b] = await Promise.all([runCli(h.home, ['run', 'slow']), runCli(h.home, ['run', 'slow'])]);
    assert.equal(a.code, 0, a.err);
    assert.equal(b.code, 0, b.err);
    // The second says behind which run it waits, never "started as run null".
    const started = /started as run (\S+) by the host/.exec(a.out + b.out)?.[1];
    assert.ok(started, a.out + b.out);
    assert.match(a.out + b.out, new RegExp(`slow: queued by the host behind run ${started}, which is still running`));
    assert.doesNotMatch(a.out + b.out, /run null/);
    assert.doesNotMatch(a.out + b.out, /running slow here/);
    const ends = await waitFor('both runs ended', () => {
      const e = readLedger(h.home, 'slow').slice(before).filter((x) => x.type === 'end');
      return e.length === 2 ? e : null;
    });
    const [first, second] = ends.sort((x, y) => String(x.started_at).localeCompare(String(y.started_at)));
    assert.ok(Date.parse(String(second!.started_at)) >= Date.parse(String(first!.ended_at)), `overlapping runs: ${JSON.stringify(ends)}`);
  });
});

describe('the CLI with a host that holds the home folder', () => {
  it('a frozen host (SIGSTOP) is reported, never bypassed by a local run', async () => {
    const t = tempHome();
    writeSkill(t.home, 'quick', { schedule: YEARLY }, 'ok.mjs');
    const h = await startHostProcess(t.home);
    try {
      h.proc.kill('SIGSTOP');
      const r = await runCli(t.home, ['run', 'quick'], { CLAWKEEPER_GATEWAY_PORT: String(h.gatewayPort) });
      assert.equal(r.code, 1, r.out);
      assert.match(r.err, /the host did not answer on .*host\.sock within 5000 ms/);
      assert.deepEqual(readLedger(t.home, 'quick'), []);
    } finally {
      h.proc.kill('SIGCONT');
      await h.stop();
      t.cleanup();
    }
  });

  it('with no host, a stale host.sock left behind does not stop `clawkeeper run` from running the skill itself', async () => {
    const t = tempHome();
    writeSkill(t.home, 'quick', { schedule: YEARLY }, 'ok.mjs');
    writeFileSync(homePaths(t.home).hostSocket, '');
    writeFileSync(homePaths(t.home).lock, '4194311'); // a pid that is not running
    const r = await runCli(t.home, ['run', 'quick']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /no ClawKeeper host is running .*: running quick here/);
    assert.deepEqual(readLedger(t.home, 'quick').map((e) => e.type), ['start', 'end']);
    t.cleanup();
  });

  it('a gateway answering 503 never makes `clawkeeper run` run the skill itself while a host holds the lock', async () => {
    const t = tempHome();
    writeSkill(t.home, 'quick', { schedule: YEARLY }, 'ok.mjs');
    // A host that holds host.lock but has no socket (an in-process Host), and a gateway port
    // that answers 503 to everything: the two ways the old CLI fell back to a local run.
    const host = new Host({ home: t.home, bundledSkillsDir: null, logger: createMemoryLogger() });
    await host.start();
    const port = await freePort();
    const gateway = createHttpServer(
      (_req, res) => res.writeHead(503, { 'content-type': 'application/json' }).end(
        '{"error":{"code":"CK_UNAVAILABLE","message":"the host did not answer within 2 s"}}',
      ),
    );
    await new Promise<void>((r) => gateway.listen(port, '127.0.0.1', () => r()));
    try {
      const r = await runCli(t.home, ['run', 'quick'], { CLAWKEEPER_GATEWAY_PORT: String(port) });
      assert.equal(r.code, 1, r.out);
      assert.match(r.err, new RegExp(`host \\(pid ${process.pid}\\) holds .* but does not answer on .*host\\.sock`));
      assert.deepEqual(readLedger(t.home, 'quick'), []);
    } finally {
      gateway.close();
      await host.stop(true);
      t.cleanup();
    }
  });
});

describe('the socket file', () => {
  it('a stale host.sock left by a dead host is replaced at start and removed at stop', async () => {
    const t = tempHome();
    const paths = homePaths(t.home);
    writeFileSync(paths.hostSocket, 'left over by a host killed with -9');
    const app = await startHeadless({ home: t.home, bundledSkillsDir: null, logger: createMemoryLogger(), env: {}, layers: false });
    try {
      assert.ok(statSync(paths.hostSocket).isSocket());
      const r = await callHost(t.home, { id: 1, op: 'status' });
      assert.equal(r?.ok, true);
      const code = await callHost(t.home, { id: 2, op: 'login-code' });
      assert.equal(code?.ok === false && code.error.code, 'CK_UNAVAILABLE');
    } finally {
      await app.stop(true);
    }
    assert.equal(existsSync(paths.hostSocket), false);
    assert.equal(await callHost(t.home, { id: 3, op: 'status' }), null);
    t.cleanup();
  });

  it('is left alone while another live process holds host.lock', async () => {
    const t = tempHome();
    const paths = homePaths(t.home);
    writeFileSync(paths.lock, String(process.ppid));
    writeFileSync(paths.hostSocket, 'someone else');
    await assert.rejects(
      startHostSocket(paths, () => Promise.reject(new Error('unused')), createMemoryLogger()),
      /another ClawKeeper host \(pid \d+\) holds/,
    );
    assert.equal(readFileSync(paths.hostSocket, 'utf8'), 'someone else');
    t.cleanup();
  });
});
