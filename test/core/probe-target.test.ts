import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { probeTarget } from '../../main/core/dependencies/probe-target.ts';
import { tempHome } from '../helpers/home.ts';
import { startUpstream } from '../helpers/upstream.ts';

describe('one probe of one target', () => {
  it('https: the TLS module loads on first use and certificates are verified (a self-signed server is down, saying why)', async () => {
    const t = tempHome();
    const key = join(t.home, 'key.pem');
    const cert = join(t.home, 'cert.pem');
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1'],
      { stdio: 'ignore' },
    );
    const server = createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (_req, res) => res.end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const r = await probeTarget(`https://127.0.0.1:${(server.address() as { port: number }).port}/`, 3000);
      assert.equal(r.ok, false);
      assert.match(r.error ?? '', /self[- ]signed|certificate/i);
    } finally {
      server.close();
      t.cleanup();
    }
  });

  it('http and tcp: an answer below 500 is up, a 5xx is down with its status, a closed port is refused', async () => {
    const up = await startUpstream();
    const five = await startUpstream(0, { STATUS: '503' });
    try {
      assert.equal((await probeTarget(up.url, 2000)).ok, true);
      assert.equal((await probeTarget(`tcp://127.0.0.1:${up.port}`, 2000)).ok, true);
      assert.deepEqual((await probeTarget(five.url, 2000)).error, 'answered 503');
      const port = up.port;
      await up.kill();
      assert.equal((await probeTarget(`http://127.0.0.1:${port}/`, 2000)).error, 'connection refused');
    } finally {
      await up.kill();
      await five.kill();
    }
  });
});
