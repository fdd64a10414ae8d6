import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { systemClock } from '../../main/core/scheduling/clock.ts';
import { nodeLauncher } from '../../main/core/runs/launcher.ts';
import { appendJsonl } from '../../main/core/home/jsonl.ts';
import { createMemoryLogger } from '../../main/core/home/logger.ts';
import { probeHttp } from '../../main/core/supervision/probe.ts';
import { Supervisor } from '../../main/core/supervision/supervisor.ts';
import { ensureToken } from '../../main/core/auth/token.ts';
import { tempHome, waitFor } from '../helpers/home.ts';
import { freePort } from '../helpers/net.ts';
import { alive } from '../helpers/pids.ts';
import { cleanupsPerTest } from '../helpers/per-test.ts';

const afterTest = cleanupsPerTest();

function startSupervisor(ports = { gateway: 0, session: 0 }, opts: { standby?: boolean } = {}) {
  const { home, cleanup } = tempHome();
  mkdirSync(join(home, 'health'), { recursive: true });
  const token = ensureToken(join(home, 'token'));
  const sup = new Supervisor({
    launcher: nodeLauncher, logger: createMemoryLogger(), clock: systemClock, healthDir: join(home, 'health'),
    env: { ...process.env, CLAWKEEPER_HOME: home }, ports, layerNice: 0, ...opts,
  });
  sup.start();
  afterTest(cleanup);
  afterTest(() => sup.stop());
  return { sup, home, token };
}

const ready = (sup: Supervisor, layer: 'gateway' | 'session') => waitFor(
  `${layer} ok`, () => sup.health(layer).status === 'ok' && sup.pid(layer), 30_000,
);
const warm = (sup: Supervisor, layer: 'gateway' | 'session') => waitFor(`${layer} standby warm`, () => sup.standbyPid(layer), 30_000);

describe('supervisor: warm standbys and restart policy, with real layer processes', () => {
  it('replaces a killed gateway with its warm standby, on the same port the first one got from the OS', async () => {
    const { sup } = startSupervisor();
    const first = await ready(sup, 'gateway');
    const port = sup.port('gateway');
    const standby = await warm(sup, 'gateway');
    process.kill(first, 'SIGKILL');
    await waitFor('a new gateway', () => sup.health('gateway').status === 'ok' && sup.pid('gateway') !== first, 20_000);
    assert.equal(sup.pid('gateway'), standby, 'the standby became the active gateway');
    assert.equal(sup.port('gateway'), port);
    assert.equal((await probeHttp(port, '/health', 2000)).ok, true);
    assert.match(sup.transitions.findLast((t) => t.layer === 'gateway' && t.status === 'ok')!.reason, /warm standby took over/);
    assert.match(sup.transitions.find((t) => t.layer === 'gateway' && /SIGKILL/.test(t.reason))!.reason, /restart now/);
    // and the next standby boots in the background
    const next = await warm(sup, 'gateway');
    assert.notEqual(next, standby);
  });

  it('a session standby that takes over serves the history written after it booted: a client resuming from seq 1 gets the rest', async () => {
    const { sup, home, token } = startSupervisor();
    const first = await ready(sup, 'session');
    await warm(sup, 'session');
    // history on disk written after the standby booted (as the active layer writes it)
    mkdirSync(join(home, 'sessions'), { recursive: true });
    for (let seq = 1; seq <= 3; seq++) appendJsonl(join(home, 'sessions', 'notes.jsonl'), {
      type: 'event', session: 'notes', seq, ts: new Date().toISOString(), kind: 'message', data: seq,
    });
    process.kill(first, 'SIGKILL');
    await waitFor('a new session layer', () => sup.health('session').status === 'ok' && sup.pid('session') !== first, 20_000);
    const port = sup.port('session');
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { headers: { authorization: `Bearer ${token}` } });
    afterTest(() => ws.terminate());
    const got: number[] = [];
    ws.on('message', (d) => {
      const m = JSON.parse((d as Buffer).toString('utf8')) as { type: string; seq?: number };
      if (m.type === 'event') got.push(m.seq!);
    });
    await new Promise((r) => ws.once('open', r));
    ws.send(JSON.stringify({ type: 'subscribe', session: 'notes', since: 1 }));
    await waitFor('events 2 and 3', () => got.length >= 2, 10_000);
    assert.deepEqual(got, [2, 3]);
  });

  it('restarts a gateway killed again and again at once, never with backoff', async () => {
    const { sup } = startSupervisor();
    for (let i = 0; i < 3; i++) {
      const pid = await ready(sup, 'gateway');
      process.kill(pid, 'SIGKILL');
      await waitFor('replaced', () => sup.pid('gateway') !== pid && sup.health('gateway').status === 'ok', 20_000);
    }
    const downs = sup.transitions.filter((t) => t.layer === 'gateway' && /SIGKILL/.test(t.reason));
    assert.equal(downs.length, 3);
    for (const d of downs) assert.match(d.reason, /restart now$/);
  });

  it('backs off a gateway that cannot take its port (a crash loop): 100 ms, then 200 ms, and it is failed', async () => {
    const squatter: Server = createServer();
    const port = await freePort();
    await new Promise<void>((r) => squatter.listen(port, '127.0.0.1', r));
    afterTest(() => new Promise<void>((r) => squatter.close(() => r())));
    const { sup } = startSupervisor({ gateway: port, session: 0 });
    await waitFor(
      'two crashes', () => sup.transitions.filter((t) => t.layer === 'gateway' && /crash #/.test(t.reason)).length >= 2,
      30_000,
    );
    const crashes = sup.transitions.filter((t) => t.layer === 'gateway' && /crash #/.test(t.reason));
    assert.match(crashes[0]!.reason, /in use by another program.*crash #1 in a row; restart in 100 ms/);
    assert.match(crashes[1]!.reason, /crash #2 in a row; restart in 200 ms/);
    assert.equal(sup.health('gateway').status, 'failed');
  });

  it('replaces a stopped (SIGSTOP) gateway as hung and the new one serves', async () => {
    const { sup } = startSupervisor();
    const first = await ready(sup, 'gateway');
    await warm(sup, 'gateway');
    process.kill(first, 'SIGSTOP');
    afterTest(() => void (alive(first) && process.kill(first, 'SIGKILL')));
    await waitFor('replaced', () => sup.pid('gateway') !== first && sup.health('gateway').status === 'ok', 20_000);
    assert.ok(
      sup.transitions.some(
        (t) => t.layer === 'gateway' && t.status === 'failed'
          && /hung: stopped \(SIGSTOP or a debugger\) and silent for \d+ ms/.test(t.reason),
      ),
    );
    assert.equal((await probeHttp(sup.port('gateway'), '/health', 2000)).ok, true);
  });

  it('replaces a standby that dies before it is used, and the active layer keeps serving', async () => {
    const { sup } = startSupervisor();
    const active = await ready(sup, 'session');
    const standby = await warm(sup, 'session');
    process.kill(standby, 'SIGKILL');
    const next = await waitFor('another standby', () => sup.standbyPid('session') !== standby && sup.standbyPid('session'), 20_000);
    assert.notEqual(next, standby);
    assert.equal(sup.pid('session'), active);
    assert.equal(sup.health('session').status, 'ok');
  });

  it('leaves no layer or standby process behind once stopped', async () => {
    const { sup } = startSupervisor();
    const pids = [await ready(sup, 'gateway'), await ready(sup, 'session'), await warm(sup, 'gateway'), await warm(sup, 'session')];
    await sup.stop();
    await waitFor('all gone', () => pids.every((p) => !alive(p)), 10_000);
  });
});
