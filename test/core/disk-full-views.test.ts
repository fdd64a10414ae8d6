// Issue #17, item 3: a full disk is reported as a full disk, never as a dead host. A real tmpfs
// (CI runs as root), a live host with a chatty skill: once the home's file system is full the host
// cannot refresh runs/_host.json, so the file-only `status` asks it over host.sock; both it and
// /api/health name the disk, and everything is operational again within 10 s of space returning.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { waitFor, writeSkill } from '../helpers/home.ts';
import { http, startHostProcess, type HostProcess } from '../helpers/host-process.ts';
import { fillUp, mountTmpfs, unmount } from '../helpers/tmpfs.ts';

interface Health {
  mode: string;
  scenario: { id: string; title: string; message: string } | null;
  layers: Record<'runtime' | 'gateway' | 'session', { status: string; reason: string }>;
  host?: { alive: boolean };
}

async function cliStatus(home: string): Promise<{ json: Health; text: string }> {
  const [j, t] = await Promise.all([runCli(home, ['status', '--json']), runCli(home, ['status'])]);
  try {
    return { json: JSON.parse(j.out) as Health, text: t.out };
  } catch {
    throw new Error(`status --json printed no JSON (exit ${j.code}):\n${j.out.slice(0, 500)}\n${j.err.slice(0, 2000)}`);
  }
}

async function apiHealth(h: HostProcess): Promise<Health | null> {
  try {
    const r = await http(h.gatewayPort, 'GET', '/api/health', { headers: { authorization: `Bearer ${h.token()}` } });
    return r.status === 200 ? (r.json() as Health) : null;
  } catch {
    return null;
  }
}

const DEAD_HOST = /not responding|is not running|host stopped/;

describe('a full disk under a live host, in every view', () => {
  it('status and /api/health name the disk and never call the host dead; operational again within 10 s of space returning', async (t) => {
    const m = mountTmpfs('1m');
    if ('skip' in m) return t.skip(m.skip);
    const home = m.dir;
    let h: HostProcess | null = null;
    try {
      writeSkill(home, 'chatty', { schedule: '*/2 * * * * *', timeoutSeconds: 30, catchUp: 'once' }, 'slow-flood.mjs');
      writeSkill(home, 'tick', { schedule: '* * * * * *', catchUp: 'once' }, 'ok.mjs');
      h = await startHostProcess(home);
      const host = h;
      // The chatty skill fills the logs first (run output is given up under the reserve); then
      // the rest of the file system goes.
      await waitFor('the chatty skill to fill the logs', async () => (await apiHealth(host))?.scenario?.id === 'storage', 90_000, 500);
      fillUp(join(home, 'filler'));
      // The host cannot refresh runs/_host.json any more: from the file alone it looks dead.
      await waitFor(
        'runs/_host.json to go stale', () => Date.now() - statSync(join(home, 'runs', '_host.json')).mtimeMs > 6000,
        30_000, 250,
      );
      const full = await waitFor('status to name the disk', async () => {
        const s = await cliStatus(home);
        return s.json.scenario?.id === 'storage' && s.json.mode === 'down' ? s : null;
      }, 30_000, 500);
      assert.equal(full.json.scenario!.title, 'Disk full');
      assert.match(
        full.json.scenario!.message,
        new RegExp(`disk full: ${home}/runs — \\d+ (bytes|KiB) free on the file system of ${home}; runs cannot be recorded, so none start`),
      );
      assert.equal(full.json.host?.alive, true, 'the live host answered over host.sock');
      for (const l of ['runtime', 'gateway', 'session'] as const) assert.doesNotMatch(full.json.layers[l].reason, DEAD_HOST, l);
      assert.equal(full.json.layers.gateway.status, 'ok', 'the gateway serves: it is not "failed — the host is not running"');
      assert.equal(full.json.layers.session.status, 'ok');
      assert.match(full.text, /^● DOWN — Disk full: disk full: /);
      assert.doesNotMatch(full.text, DEAD_HOST);
      const api = await waitFor('/api/health to name the disk', async () => {
        const a = await apiHealth(host);
        return a?.scenario?.id === 'storage' && a.mode === 'down' ? a : null;
      }, 30_000, 250);
      assert.match(api.scenario!.message, /free on the file system of .*; runs cannot be recorded, so none start/);
      assert.doesNotMatch(JSON.stringify(api.layers), DEAD_HOST);
      assert.equal(host.proc.exitCode, null, 'the host is alive');

      // Space returns: the filler goes and the file system grows (the chatty logs stay).
      rmSync(join(home, 'filler'));
      execFileSync('mount', ['-o', 'remount,size=16m', home]);
      const back = Date.now();
      await waitFor(
        'operational in every view',
        async () => (await apiHealth(host))?.mode === 'operational' && (await cliStatus(home)).json.mode === 'operational',
        10_000, 200,
      ).catch(async (err: Error) => {
        throw new Error(`${err.message}\napi: ${JSON.stringify(await apiHealth(host))}\nstatus: ${(await cliStatus(home)).text}`);
      });
      assert.ok(Date.now() - back <= 10_000);
    } finally {
      await h?.stop('SIGKILL');
      unmount(home);
    }
  });
});
