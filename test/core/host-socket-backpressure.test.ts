import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import { HOST_PENDING_MAX, startHostSocket } from '../../main/core/front/host-socket.ts';
import { createMemoryLogger } from '../../main/core/home/logger.ts';
import { ensureHome, homePaths } from '../../main/core/home/paths.ts';
import { tempHome, waitFor } from '../helpers/home.ts';

describe('host.sock honours backpressure', () => {
  it('stops reading from a client that sends requests and never reads the replies, and answers them all once it reads', async () => {
    const t = tempHome();
    const paths = homePaths(t.home);
    ensureHome(paths);
    let handled = 0;
    // A reply of ~8 KiB, as a status report is: the OS's socket buffers fill after a few dozen.
    const payload = 'x'.repeat(8 * 1024);
    const hs = await startHostSocket(paths, (req) => {
      handled++;
      return Promise.resolve({ id: req.id ?? null, ok: true, result: { payload } });
    }, createMemoryLogger());
    const sent = 5000;
    const sock = connect(paths.hostSocket);
    try {
      await new Promise<void>((r) => sock.once('connect', () => r()));
      sock.pause();
      let lines = '';
      for (let i = 0; i < sent; i++) lines += JSON.stringify({ id: i, op: 'status' }) + '\n';
      sock.write(lines);
      // Time for the host to read and answer everything it would.
      await new Promise((r) => setTimeout(r, 1500));
      const whileNotReading = handled;
      assert.ok(whileNotReading < 1000, `the host answered ${whileNotReading} of ${sent} requests nobody read: it kept reading`);
      assert.ok(whileNotReading >= HOST_PENDING_MAX, 'it did answer the first ones');
      let got = 0;
      let buf = '';
      sock.setEncoding('utf8');
      sock.on('data', (c: string) => {
        buf += c;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const reply = JSON.parse(buf.slice(0, nl)) as { id: number };
          assert.equal(reply.id, got, 'replies in order');
          got++;
          buf = buf.slice(nl + 1);
        }
      });
      sock.resume();
      await waitFor('every reply', () => got === sent, 30_000);
      assert.equal(handled, sent);
    } finally {
      sock.destroy();
      await hs.close();
      t.cleanup();
    }
  });
});
