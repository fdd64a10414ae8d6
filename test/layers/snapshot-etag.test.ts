import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { tempHome, waitFor, writeSkill } from '../helpers/home.ts';
import { http, snapshotOf, startHostProcess, type HostProcess } from '../helpers/host-process.ts';

/**
 * Issue #21, item 6: each open dashboard polls GET /api/snapshot twice a second, the host sends a
 * new one once a second, and with 200 skills it is ~415 KB. A poll naming the snapshot it already
 * has (If-None-Match) gets 304 and no body; any new snapshot, or a restarted gateway, gets 200.
 */
describe('GET /api/snapshot answers 304 to a poll that already has it (a real host and gateway)', () => {
  let h: HostProcess;
  let cleanup = () => {};
  const bearer = () => ({ authorization: `Bearer ${h.token()}` });
  const get = (headers: Record<string, string> = {}) => http(h.gatewayPort, 'GET', '/api/snapshot', {
    headers: { ...bearer(), ...headers },
  });

  before(async () => {
    const t = tempHome();
    cleanup = t.cleanup;
    writeSkill(t.home, 'quiet', { schedule: '0 0 1 1 *' }, 'ok.mjs');
    h = await startHostProcess(t.home);
  });
  after(async () => {
    await h.stop();
    cleanup();
  });

  it('the same snapshot asked again with its ETag is a 304 without a body; a 200 in between (a new snapshot) carries another ETag', async () => {
    let notModified = 0;
    for (let i = 0; i < 10 && notModified === 0; i++) {
      const first = await get();
      assert.equal(first.status, 200);
      const tag = String(first.headers.etag);
      assert.match(tag, /^"[\w-]+-\d+"$/);
      const again = await get({ 'if-none-match': tag });
      if (again.status === 304) {
        notModified++;
        assert.equal(again.body, '');
        assert.equal(again.headers.etag, tag);
        assert.equal(again.headers['cache-control'], 'no-store');
      } else {
        // The host's once-a-second snapshot landed between the two requests.
        assert.equal(again.status, 200);
        assert.notEqual(again.headers.etag, tag);
      }
    }
    assert.equal(notModified, 1, 'one of ten back-to-back pairs fell within one snapshot');
  });

  it('a newer snapshot (the host sends one a second) is a 200 with a new ETag and a newer generatedAt', async () => {
    const first = await get();
    const tag = String(first.headers.etag);
    const was = (first.json() as { generatedAt: string }).generatedAt;
    const later = await waitFor('a new snapshot', async () => {
      const r = await get({ 'if-none-match': tag });
      return r.status === 200 ? r : undefined;
    }, 5000, 100);
    assert.notEqual(later.headers.etag, tag);
    assert.ok(Date.parse((later.json() as { generatedAt: string }).generatedAt) > Date.parse(was));
  });

  it('without a credential an ETag earns a 401, never a 304 (which would tell that nothing changed)', async () => {
    const tag = String((await get()).headers.etag);
    const r = await http(h.gatewayPort, 'GET', '/api/snapshot', { headers: { 'if-none-match': tag } });
    assert.equal(r.status, 401);
  });

  it('a restarted gateway never matches an ETag of the one before (its tags have another prefix)', async () => {
    const tag = String((await get()).headers.etag);
    const pid = (await snapshotOf(h)).host.layerPids.gateway;
    process.kill(pid, 'SIGKILL');
    const fresh = await waitFor('the restarted gateway', async () => {
      try {
        const s = await snapshotOf(h);
        if (!s.host.layerPids.gateway || s.host.layerPids.gateway === pid) return undefined;
        return await get({ 'if-none-match': tag });
      } catch {
        return undefined;
      }
    }, 20_000, 100);
    assert.equal(fresh.status, 200);
    const prefix = (t: string) => t.replace(/-\d+"$/, '');
    assert.notEqual(prefix(String(fresh.headers.etag)), prefix(tag));
  });
});
