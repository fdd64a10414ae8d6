// node:tls costs the host ~9 MB: loaded only when an https target is probed (tests and local
// models use http or tcp).
type TlsConnect = typeof import('node:tls').connect;
let tlsConnect: TlsConnect | null = null;
async function loadTls(): Promise<TlsConnect> {
  return (tlsConnect ??= (await import('node:tls')).connect);
}

// One probe of one target, over a bare socket: the host stays small (node:http and fetch cost it
// megabytes; see ../probe.ts), and a status line or a completed connect is all a probe needs.
import { lookup } from 'node:dns';
import { connect, isIP, type Socket } from 'node:net';

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

// getaddrinfo runs on libuv's small thread pool and cannot be cancelled: with DNS blackholed, a
// lookup outlives its probe's timeout. One lookup per name at a time, so probes can never fill the
// pool that run logs and every other file operation need.
const pendingLookups = new Set<string>();

function resolveName(host: string, cb: (err: NodeJS.ErrnoException | null, address?: string) => void): void {
  if (isIP(host)) return cb(null, host);
  if (pendingLookups.has(host)) return cb(
    Object.assign(new Error('an earlier DNS lookup of this name has not answered yet'), { code: 'EAI_AGAIN' }),
  );
  pendingLookups.add(host);
  lookup(host, (err, address) => {
    pendingLookups.delete(host);
    cb(err, address);
  });
}

export function probeTarget(target: string, timeoutMs: number): Promise<ProbeResult> {
  const started = performance.now();
  let u: URL;
  try {
    u = new URL(target);
  } catch {
    return Promise.resolve({ ok: false, ms: 0, error: `not a URL: ${target}` });
  }
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const tcp = u.protocol === 'tcp:';
  const tls = u.protocol === 'https:';
  const port = Number(u.port) || (tls ? 443 : 80);
  return new Promise((resolve) => {
    let done = false;
    let socket: Socket | undefined;
    const finish = (ok: boolean, error?: string, network = false) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket?.destroy();
      resolve({ ok, ms: Math.round(performance.now() - started), ...(error ? { error, network } : {}) });
    };
    const timer = setTimeout(() => finish(false, `no answer within ${timeoutMs} ms`, true), timeoutMs);
    const request = () => socket?.write(
      `GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nUser-Agent: clawkeeper-probe\r\nConnection: close\r\n\r\n`,
    );
    const open = (address: string, secure: TlsConnect | null) => {
      if (done) return;
      const sock: Socket = secure ? secure(
        { host: address, port, ...(isIP(host) ? {} : { servername: host }) }, request,
      ) : connect({ host: address, port }, () => (tcp ? finish(true) : request()));
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
    };
    resolveName(host, (err, address) => {
      if (done) return;
      if (err || !address) return finish(false, CODE_WORDS[err?.code ?? ''] ?? err?.message ?? 'DNS lookup failed');
      if (tls) void loadTls().then((c) => open(address, c), (e: Error) => finish(false, e.message));
      else open(address, null);
    });
  });
}

/** Errors of a failed run that say "the network or the server was unreachable". */
export const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET', 'UND_ERR_HEADERS_TIMEOUT', 'ECONNABORTED', 'EPIPE',
]);
