// host.sock: the host's local command socket. It lives in the 0700 home folder and is 0600, so
// only the user reaches it, and no token ever crosses TCP. Newline-delimited JSON, one reply line
// per request line, in order (main/common/host-protocol.ts).
import { chmodSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { ClawError } from '../../common/errors.ts';
import { HOST_FRAME_MAX, type HostReply, type HostRequest } from '../../common/host-protocol.ts';
import { liveLockHolder } from '../host/host-lock.ts';
import type { Logger } from '../home/logger.ts';
import type { HomePaths } from '../home/paths.ts';

export interface HostSocket {
  path: string;
  close(): Promise<void>;
}

export type CommandHandler = (req: HostRequest) => Promise<HostReply>;

function errorReply(id: number | null, code: string, message: string): HostReply {
  return { id, ok: false, error: { code, message: `[host-socket] ${message}` } };
}

/**
 * Requests read but not yet answered, per connection, at most: past this (or while the client
 * does not read its replies) the connection is not read from, so the client's writes wait in the
 * OS's socket buffer instead of in the host's memory.
 */
export const HOST_PENDING_MAX = 32;

/** One connection: lines in, replies out, strictly in order; a bad line never ends the host. */
function serveConnection(sock: Socket, handle: CommandHandler, log: Logger): void {
  let buffer = '';
  let chain = Promise.resolve();
  let pending = 0;
  let blocked = false;
  const held = () => pending >= HOST_PENDING_MAX || blocked;
  const send = (r: HostReply) => {
    if (sock.destroyed || !sock.writable) return;
    if (!sock.write(JSON.stringify(r) + '\n')) blocked = true;
  };
  const onLine = async (line: string): Promise<void> => {
    if (line.trim() === '') return;
    let req: HostRequest;
    try {
      req = JSON.parse(line) as HostRequest;
    } catch {
      return send(errorReply(null, 'CK_INVALID_JSON', 'a request line must be one JSON object, e.g. {"id":1,"op":"status"}'));
    }
    send(await handle(req));
  };
  // After an over-long line, the rest of it is dropped up to its end of line; the connection
  // stays usable and memory stays bounded whatever a client sends.
  let discarding = false;
  const tooLong = () => {
    chain = chain.then(() => send(errorReply(null, 'CK_BODY_TOO_LARGE', `a request line is at most ${HOST_FRAME_MAX} bytes`)));
  };
  /**
   * Takes the complete lines read so far, while the connection is not held (too many requests
   * waiting, or replies not read): the rest waits in `buffer`, and the socket is not read meanwhile.
   */
  const pump = () => {
    let nl: number;
    while (!held() && (nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (line.length > HOST_FRAME_MAX) {
        tooLong();
        continue;
      }
      pending++;
      chain = chain
        .then(() => onLine(line))
        .catch((err: unknown) => log.warn(String(err)))
        .finally(() => {
          pending--;
          pump();
        });
    }
    if (buffer.length > HOST_FRAME_MAX && !buffer.includes('\n')) {
      buffer = '';
      discarding = true;
      tooLong();
    }
    if (held() || buffer.includes('\n')) sock.pause();
    else sock.resume();
  };
  sock.on('drain', () => {
    blocked = false;
    pump();
  });
  sock.setEncoding('utf8');
  sock.on('data', (chunk: string) => {
    if (discarding) {
      const nl = chunk.indexOf('\n');
      if (nl < 0) return;
      discarding = false;
      chunk = chunk.slice(nl + 1);
    }
    buffer += chunk;
    pump();
  });
  sock.on('error', () => sock.destroy()); // a client that went away mid-reply: nothing to do
}

/**
 * Listens on paths.hostSocket. A socket file left by a dead host is removed first, but only when
 * no other live process holds host.lock (this host normally holds it already).
 */
export async function startHostSocket(paths: HomePaths, handle: CommandHandler, logger: Logger): Promise<HostSocket> {
  const log = logger.child('host-socket');
  const holder = liveLockHolder(paths.lock);
  if (holder !== null && holder !== process.pid) {
    throw new ClawError(
      'CK_HOME_LOCKED', 'host-socket',
      `another ClawKeeper host (pid ${holder}) holds ${paths.home}; its ${paths.hostSocket} is left alone`,
    );
  }
  rmSync(paths.hostSocket, { force: true });
  const open = new Set<Socket>();
  const server: Server = createServer((sock) => {
    open.add(sock);
    sock.on('close', () => open.delete(sock));
    serveConnection(sock, handle, log);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(paths.hostSocket, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // The home folder is 0700 already; 0600 on the socket itself keeps it private even if someone
  // loosens the folder.
  chmodSync(paths.hostSocket, 0o600);
  server.on('error', (err) => log.warn(String(err)));
  return {
    path: paths.hostSocket,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // close() waits for open connections: a CLI still connected must not hold up the stop.
        for (const sock of open) sock.destroy();
        rmSync(paths.hostSocket, { force: true });
      }),
  };
}
