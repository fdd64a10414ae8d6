// The CLI's way to the host: host.sock in the home folder (main/common/host-protocol.ts). It
// does not depend on the gateway, and no token travels over TCP.
import { connect } from 'node:net';
import type { HostReply, HostRequest } from '../common/host-protocol.ts';
import { homePaths } from '../core/home/paths.ts';

export type { HostReply, HostRequest } from '../common/host-protocol.ts';

/**
 * One request to the host that holds `home`. Resolves to null when no host listens (no socket
 * file, or a stale one: ENOENT/ECONNREFUSED); any other failure (a host that does not answer in
 * time, a dropped connection) is an error reply, so a caller never mistakes a live but stuck host
 * for an absent one.
 */
export async function callHost(home: string, req: HostRequest, timeoutMs = 5000): Promise<HostReply | null> {
  const path = homePaths(home).hostSocket;
  return new Promise((resolve) => {
    const sock = connect(path);
    let buffer = '';
    let settled = false;
    const done = (r: HostReply | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      resolve(r);
    };
    const fail = (code: string, message: string) => done({ id: req.id, ok: false, error: { code, message: `[host-client] ${message}` } });
    const timer = setTimeout(() => fail('CK_UNAVAILABLE', `the host did not answer on ${path} within ${timeoutMs} ms`), timeoutMs);
    sock.setEncoding('utf8');
    sock.on('connect', () => sock.write(JSON.stringify(req) + '\n'));
    sock.on('data', (chunk: string) => {
      buffer += chunk;
      const nl = buffer.indexOf('\n');
      if (nl < 0) return;
      try {
        done(JSON.parse(buffer.slice(0, nl)) as HostReply);
      } catch {
        fail('CK_INVALID_JSON', `the host answered something that is not JSON on ${path}`);
      }
    });
    sock.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED') done(null);
      else fail('CK_UNAVAILABLE', `cannot talk to the host on ${path}: ${err.message}`);
    });
    sock.on('close', () => fail('CK_UNAVAILABLE', `the host closed ${path} without answering`));
  });
}
