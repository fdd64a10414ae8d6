import { connect } from 'node:net';

/**
 * Asks a layer `GET <path>` through its real listening socket and reads the status line.
 * Deliberately not node:http: the host stays small (loading node:http costs it ~18 MB), and a
 * status line is all a liveness probe needs.
 */
export function probeHttp(port: number, path = '/health', timeoutMs = 750): Promise<{
  ok: boolean; ms: number; error?: string; refused?: boolean;
}> {
  const started = performance.now();
  return new Promise((resolve) => {
    let done = false;
    const finish = (ok: boolean, error?: string, refused = false) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ ok, ms: performance.now() - started, ...(error ? { error } : {}), ...(refused ? { refused } : {}) });
    };
    const socket = connect({ host: '127.0.0.1', port });
    const timer = setTimeout(() => finish(false, `no answer within ${timeoutMs} ms`), timeoutMs);
    let head = '';
    socket.setEncoding('latin1');
    socket.on('connect', () => socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`));
    socket.on('data', (chunk: string) => {
      head += chunk;
      const eol = head.indexOf('\r\n');
      if (eol >= 0) finish(/^HTTP\/1\.[01] 200 /.test(head.slice(0, eol + 1) + ' '), undefined);
      else if (head.length > 1024) finish(false, 'not an HTTP answer');
    });
    // ECONNREFUSED: nothing listens on the port (unlike a timeout or a reset, never load's doing).
    socket.on('error', (err: NodeJS.ErrnoException) => finish(false, err.message, err.code === 'ECONNREFUSED'));
    socket.on('close', () => finish(false, 'closed without an answer'));
  });
}
