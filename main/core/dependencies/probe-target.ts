// One probe of one target, over a bare socket: the host stays small (node:http and fetch cost it
// megabytes; see ../probe.ts), and a status line or a completed connect is all a probe needs.
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

export interface ProbeResult {
  ok: boolean;
  ms: number;
  /** Why it failed, in words ("connection refused", "no answer within 3000 ms", "answered 503"). */
  error?: string;
  /** A failure that says the network itself is unreachable (not an answer from a server). */
  network?: boolean;
}

const CODE_WORDS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'name not found (DNS)',
  EAI_AGAIN: 'DNS lookup failed',
  ENETUNREACH: 'network unreachable',
  EHOSTUNREACH: 'host unreachable',
  ETIMEDOUT: 'timed out',
};

export function probeTarget(target: string, timeoutMs: number): Promise<ProbeResult> {
  const started = performance.now();
  let u: URL;
  try {
    u = new URL(target);
  } catch {
    return Promise.resolve({ ok: false, ms: 0, error: `not a URL: ${target}` });
  }
  return new Promise((resolve) => {
    let done = false;
    // eslint-disable-next-line prefer-const -- assigned once below; `finish` may run from the timer first
    let socket: Socket | undefined;
    const finish = (ok: boolean, error?: string, network = false) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket?.destroy();
      resolve({ ok, ms: Math.round(performance.now() - started), ...(error ? { error, network } : {}) });
    };
    const timer = setTimeout(() => finish(false, `no answer within ${timeoutMs} ms`, true), timeoutMs);
    const host = u.hostname.replace(/^\[|\]$/g, '');
    const tcp = u.protocol === 'tcp:';
    const tls = u.protocol === 'https:';
    const port = Number(u.port) || (tls ? 443 : 80);
    const request = () => socket?.write(`GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nUser-Agent: clawkeeper-probe\r\nConnection: close\r\n\r\n`);
    const sock: Socket = tls ? tlsConnect({ host, port, servername: host }, request) : connect({ host, port }, () => (tcp ? finish(true) : request()));
    socket = sock;
    let head = '';
    sock.setEncoding('latin1');
    sock.on('data', (chunk: string) => {
      head += chunk;
      const eol = head.indexOf('\r\n');
      if (eol < 0) {
        if (head.length > 1024) finish(false, 'not an HTTP answer');
        return;
      }
      const m = /^HTTP\/\d(?:\.\d)? (\d{3})/.exec(head.slice(0, eol));
      if (!m) return finish(false, 'not an HTTP answer');
      const status = Number(m[1]);
      // Any answer below 500 means the server is there and answering (a 401 or 404 included).
      finish(status < 500, status < 500 ? undefined : `answered ${status}`);
    });
    sock.on('error', (err: NodeJS.ErrnoException) => finish(false, CODE_WORDS[err.code ?? ''] ?? err.message, true));
    sock.on('close', () => finish(false, 'closed without an answer'));
  });
}

/** Errors of a failed run that say "the network or the server was unreachable". */
export const NETWORK_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET', 'UND_ERR_HEADERS_TIMEOUT', 'ECONNABORTED', 'EPIPE']);
