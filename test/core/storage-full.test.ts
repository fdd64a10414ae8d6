import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { readLedger, waitFor, writeSkill } from '../helpers/home.ts';
import { http, startHostProcess, type HostProcess } from '../helpers/host-process.ts';
import { fillUp, mountTmpfs, unmount } from '../helpers/tmpfs.ts';

interface CliStatus {
  mode: string;
  scenario: { id: string; title: string; message: string } | null;
  layers: { runtime: { status: string; reason: string } };
}

async function cliStatus(home: string): Promise<CliStatus> {
  const r = await runCli(home, ['status', '--json']);
  try {
    return JSON.parse(r.out) as never;
  } catch {
    const printed = `${r.out.slice(0, 500)}\n${r.err.slice(0, 2000)}`;
    throw new Error(`clawkeeper status --json printed no JSON (exit ${r.code}):\n${printed}`);
  }
}

async function apiHealth(h: HostProcess): Promise<{ mode: string; layers: { runtime: { status: string; reason: string } } } | null> {
  try {
    const r = await http(h.gatewayPort, 'GET', '/api/health', { headers: { authorization: `Bearer ${h.token()}` } });
    return r.status === 200 ? (r.json() as never) : null;
  } catch {
    return null;
  }
}

/** No slot twice: one start per slot, and no slot both skipped and started. */
function assertNoSlotTwice(home: string): void {
  const ledger = readLedger(home, 'tick');
  const started = ledger.filter((e) => e.type === 'start').map((e) => String(e.slot));
  assert.equal(new Set(started).size, started.length, 'a slot started twice');
  const skipped = new Set(ledger.filter((e) => e.type === 'skip').map((e) => String(e.slot)));
  assert.deepEqual(started.filter((s) => skipped.has(s)), [], 'a slot both skipped and run');
}

/** The session layer never crash-looped on ENOSPC. */
async function assertSessionSteady(host: HostProcess): Promise<void> {
  const headers = { authorization: `Bearer ${host.token()}` };
  const r = await http(host.gatewayPort, 'GET', '/api/snapshot', { headers });
  const snap = r.json() as { transitions: { layer: string; status: string }[] };
  const session = snap.transitions.filter((x) => x.layer === 'session');
  const sessionFaults = session.slice(session.findIndex((x) => x.status === 'ok')).filter((x) => x.status !== 'ok');
  assert.deepEqual(sessionFaults, [], 'session layer transitions while the disk was full');
}

describe('a full disk never kills the host or a layer', () => {
  it('a skill printing 50 KB/s fills a 600 KiB home: logs go first (degraded), then run starts fail (down, "disk full: <home>/runs"); after the disk grows everything resumes, missed slots are storage-full, no slot twice', async (t) => {
    const m = mountTmpfs('600k');
    if ('skip' in m) return t.skip(m.skip);
    const home = m.dir;
    let h: HostProcess | null = null;
    try {
      writeSkill(home, 'flood', { schedule: '*/3 * * * * *', timeoutSeconds: 30 }, 'slow-flood.mjs');
      writeSkill(home, 'tick', { schedule: '* * * * * *', catchUp: 'once' }, 'ok.mjs');
      h = await startHostProcess(home);
      const host = h;

      // 1. Logs are given up first: degraded, the runtime still ok, the logs folder named.
      const degraded = await waitFor('logs given up (degraded)', async () => {
        const s = await cliStatus(home);
        // The banner says it (scenario "Disk full"); the runtime itself is fine.
        return s.scenario?.id === 'storage' && /disk nearly full: .*\/logs/.test(s.scenario.message) ? s : null;
      }, 90_000, 500);
      assert.equal(degraded.mode, 'degraded', JSON.stringify(degraded.layers.runtime));
      assert.equal(degraded.layers.runtime.status, 'ok');
      const ticksBefore = readLedger(home, 'tick').filter((e) => e.type === 'end' && e.outcome === 'success').length;
      assert.ok(ticksBefore > 0);

      // 2. Something else fills the rest: run start entries cannot be written. Down, with the path,
      // from the CLI's own look at the file system and from the host's snapshot.
      fillUp(join(home, 'filler'));
      const down = await waitFor('status down naming the runs folder', async () => {
        const s = await cliStatus(home);
        return s.mode === 'down' && s.layers.runtime.reason.includes(`disk full: ${join(home, 'runs')}`) ? s : null;
      }, 30_000, 250);
      assert.equal(down.layers.runtime.status, 'failed');
      await waitFor('the host to say it cannot start runs', async () => {
        const a = await apiHealth(host);
        return a?.mode === 'down' && /disk full: .*\/runs/.test(a.layers.runtime.reason);
      }, 30_000, 250);
      // Slots pass while no start entry can be written (a per-second skill stops starting). A
      // nearly full page of the ledger may take a few more appends first, so wait for 3 s of none.
      let starts = -1;
      let changedAt = Date.now();
      await waitFor('3 s without a tick start', () => {
        const n = readLedger(home, 'tick').filter((e) => e.type === 'start').length;
        if (n !== starts) {
          starts = n;
          changedAt = Date.now();
        }
        return Date.now() - changedAt > 3000;
      }, 60_000, 250);
      const fullAt = changedAt;
      assert.equal(host.proc.exitCode, null, `the host is alive:\n${host.output().slice(-2000)}`);

      // 3. The disk grows: everything resumes by itself.
      execFileSync('mount', ['-o', 'remount,size=8m', home]);
      const ticks = () => readLedger(home, 'tick');
      const storageFull = () => ticks().some((e) => e.type === 'skip' && e.reason === 'storage-full');
      await waitFor('missed slots recorded storage-full', storageFull, 30_000, 250).catch((err: Error) => {
        throw new Error(`${err.message}\nledger tail: ${JSON.stringify(ticks().slice(-6))}\nhost: ${host.output().slice(-3000)}`);
      });
      const ranAfter = (e: Record<string, unknown>) =>
        e.type === 'end' && e.outcome === 'success' && Date.parse(String(e.started_at)) > fullAt + 3000;
      await waitFor('tick runs again after the disk grew', () => ticks().some(ranAfter), 30_000, 250);
      assert.ok(ticks().some((e) => e.type === 'start' && e.trigger === 'catch-up'), 'catchUp=once ran the newest missed slot');
      const runtimeOk = async () =>
        (await apiHealth(host))?.layers.runtime.status === 'ok' && (await cliStatus(home)).layers.runtime.status === 'ok';
      await waitFor('operational again', runtimeOk, 30_000, 250);
      assert.equal(host.proc.exitCode, null, 'the host is alive');

      assertNoSlotTwice(home);
      await assertSessionSteady(host);
    } finally {
      await h?.stop('SIGKILL');
      unmount(home);
    }
  });
});
