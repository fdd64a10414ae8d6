// The bounded Electron download: real child processes (small scripts, and the real fetch script
// against a mirror on 127.0.0.1 through ELECTRON_MIRROR), never the internet.
import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { boundedDownload, FETCH_SCRIPT } from '../../main/cli/electron-download.ts';
import { ROOT, tempHome, waitFor } from '../helpers/home.ts';
import { freePort } from '../helpers/net.ts';

const node = process.execPath;
const script = (src: string) => ({ command: node, args: ['-e', src] });

describe('boundedDownload', () => {
  it('reports each progress line and succeeds when the downloader exits 0', async () => {
    const seen: number[] = [];
    const r = await boundedDownload({
      ...script('for (const t of [1,2,3]) console.log(JSON.stringify({transferred:t,total:3}))'),
      onProgress: (p) => seen.push(p.transferred),
    });
    assert.deepEqual(r, { ok: true });
    assert.deepEqual(seen, [1, 2, 3]);
  });

  it('fails with the downloader\'s last error line when it exits non-zero', async () => {
    const r = await boundedDownload(script('console.error("noise"); console.error("fetch failed: ENOTFOUND"); process.exit(1)'));
    assert.deepEqual(r, { ok: false, why: 'fetch failed: ENOTFOUND' });
  });

  it('cuts off a download that stalls after some progress, and kills it', async () => {
    let pid = 0;
    const r = await boundedDownload({
      ...script('console.log(JSON.stringify({transferred:1,total:9,pid:process.pid})); setInterval(() => {}, 1000)'),
      stallMs: 300,
      deadlineMs: 60_000,
      onProgress: (p) => (pid = (p as unknown as { pid: number }).pid),
    });
    assert.deepEqual(r, { ok: false, why: 'it stalled: no progress for 0.3 s' });
    await waitFor('the stalled downloader to be killed', () => {
      try {
        process.kill(pid, 0);
        return false;
      } catch {
        return true;
      }
    });
  });

  it('cuts off a download that keeps progressing past its deadline', async () => {
    const r = await boundedDownload({
      ...script('let t = 0; setInterval(() => console.log(JSON.stringify({transferred:++t,total:null})), 20)'),
      stallMs: 5_000, deadlineMs: 400,
    });
    assert.deepEqual(r, { ok: false, why: 'it did not finish within 0.4 s' });
  });
});

describe('the Electron fetch script (against a local mirror)', () => {
  async function mirror(handle: (res: ServerResponse) => void) {
    const urls: string[] = [];
    const port = await freePort();
    const srv = createServer((req, res) => {
      urls.push(req.url ?? '');
      handle(res);
    });
    await new Promise<void>((r) => srv.listen(port, '127.0.0.1', r));
    return { urls, port, close: () => new Promise<void>((r) => { srv.closeAllConnections(); srv.close(() => r()); }) };
  }
  const run = (port: number, cache: string, stallMs = 30_000) =>
    boundedDownload({
      command: node,
      args: [FETCH_SCRIPT, join(ROOT, 'node_modules', 'electron')],
      // No proxy, a private cache, and the mirror on loopback: nothing leaves the machine.
      env: { PATH: process.env.PATH, ELECTRON_MIRROR: `http://127.0.0.1:${port}/`, electron_config_cache: cache },
      stallMs,
      deadlineMs: 60_000,
    });

  it('reports a binary that cannot be obtained (404) in one line', async () => {
    const m = await mirror((res) => res.writeHead(404).end('not here'));
    const t = tempHome();
    try {
      const r = await run(m.port, t.home);
      assert.equal(r.ok, false);
      assert.match(!r.ok ? r.why : '', /404/);
      assert.ok(!(!r.ok && r.why.includes('\n')));
      assert.match(m.urls[0] ?? '', /electron-v[\d.]+-\w+-\w+\.zip$/);
    } finally {
      await m.close();
      t.cleanup();
    }
  });

  it('is cut off when the mirror stops sending mid-download', async () => {
    const m = await mirror((res) => {
      res.writeHead(200, { 'content-type': 'application/zip', 'content-length': String(10 * 1048576) });
      res.write(Buffer.alloc(65536));
    });
    const t = tempHome();
    try {
      const r = await run(m.port, t.home, 1500);
      assert.deepEqual(r, { ok: false, why: 'it stalled: no progress for 1.5 s' });
    } finally {
      await m.close();
      t.cleanup();
    }
  });
});
