import type { IncomingMessage, ServerResponse } from 'node:http';
import { ClawError } from '../../common/errors.ts';

// Checks every request and upgrade goes through before anything else: the Host must name a
// loopback address with our port (DNS rebinding: `evil.example` resolving to 127.0.0.1 still
// carries Host: evil.example), and the Origin must be absent or the dashboard's own.

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);
const IPV4_NAMES = new Set(['127.0.0.1', 'localhost']);

/** The Host names to accept: `[::1]` only where this layer listens on ::1 too (listen-loopback.ts). */
export function loopbackNames(ipv6: boolean): Set<string> {
  return ipv6 ? LOOPBACK_NAMES : IPV4_NAMES;
}

export function checkHost(
  hostHeader: string | undefined, port: number, component: string, names: Set<string> = LOOPBACK_NAMES,
): ClawError | null {
  if (!hostHeader) return new ClawError('CK_MISDIRECTED', component, 'a Host header is required');
  const m = /^(\[[0-9a-f:]+\]|[^:]+)(?::(\d+))?$/i.exec(hostHeader.trim());
  // Exact names only: `127.evil.com` or `localhost.evil.com` never pass a prefix test here.
  if (!m || !names.has(m[1]!.toLowerCase()) || Number(m[2] ?? 80) !== port) {
    return new ClawError(
      'CK_MISDIRECTED', component,
      `Host "${hostHeader.slice(0, 100)}" is not this server; use http://127.0.0.1:${port}`,
    );
  }
  return null;
}

/** Origins allowed: none (CLI, curl) or the gateway's own (the dashboard). */
export function allowedOrigins(gatewayPort: number): Set<string> {
  return new Set([`http://127.0.0.1:${gatewayPort}`, `http://localhost:${gatewayPort}`, `http://[::1]:${gatewayPort}`]);
}

export function checkOrigin(origin: string | undefined, allowed: Set<string>, component: string): ClawError | null {
  if (origin === undefined) return null;
  if (allowed.has(origin)) return null;
  return new ClawError('CK_FORBIDDEN_ORIGIN', component, `Origin "${origin.slice(0, 100)}" may not call this server`);
}

export function sendError(res: ServerResponse, err: ClawError, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify(err.toJSON());
  res.writeHead(err.status, {
    'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff',
    ...headers, 'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

export function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  sendBody(res, status, JSON.stringify(value), headers);
}

/** A JSON body already serialized. */
export function sendBody(res: ServerResponse, status: number, body: string | Buffer, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff',
    ...headers, 'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

export const MAX_BODY = 64 * 1024;

/** Reads a JSON body of at most 64 KiB; 413 past that (without reading the rest), 400 if not JSON. */
export function readJsonBody(req: IncomingMessage, component: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_BODY) {
      reject(new ClawError('CK_BODY_TOO_LARGE', component, `request body over ${MAX_BODY} bytes`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new ClawError('CK_BODY_TOO_LARGE', component, `request body over ${MAX_BODY} bytes`));
        req.removeAllListeners('data');
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (size > MAX_BODY) return;
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') return resolve(undefined);
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(new ClawError('CK_INVALID_JSON', component, 'the request body is not valid JSON'));
      }
    });
    req.on('error', reject);
  });
}

/** Credential kinds, limited apart: a flood of wrong sessions never blocks Bearer tokens or login codes. */
export type CredentialKind = 'bearer' | 'session' | 'code';

/**
 * Failed-auth limiter, one bucket per credential kind: past `max` failures of a kind in `windowMs`,
 * further wrong credentials of that kind get 429 for `windowMs`. A valid credential is never locked
 * out (guessing a 256-bit token or a 192-bit code is hopeless anyway; the limit only keeps a noisy
 * guesser cheap), so a hostile local program cannot lock the user out. No header (X-Forwarded-For
 * and friends) is trusted to tell callers apart: every caller is local.
 */
export class AuthLimiter {
  private readonly buckets = new Map<CredentialKind, { failures: number[]; lockedUntil: number }>();
  private readonly max: number;
  private readonly windowMs: number;
  constructor(max = 20, windowMs = 10_000) {
    this.max = max;
    this.windowMs = windowMs;
  }

  private bucket(kind: CredentialKind) {
    let b = this.buckets.get(kind);
    if (!b) this.buckets.set(kind, (b = { failures: [], lockedUntil: 0 }));
    return b;
  }

  locked(kind: CredentialKind, now = Date.now()): boolean {
    return now < this.bucket(kind).lockedUntil;
  }

  fail(kind: CredentialKind, now = Date.now()): void {
    const b = this.bucket(kind);
    b.failures = b.failures.filter((t) => now - t < this.windowMs);
    b.failures.push(now);
    if (b.failures.length >= this.max) {
      b.lockedUntil = now + this.windowMs;
      b.failures = [];
    }
  }

  /**
   * After a wrong credential of `kind`: the error to answer with (429 while that kind is locked,
   * else 401 with `message`), counting the failure.
   */
  refuse(kind: CredentialKind, component: string, message: string, now = Date.now()): ClawError {
    if (this.locked(kind, now)) return new ClawError(
      'CK_RATE_LIMITED', component, `too many failed ${kind} attempts; retry in ${this.retryAfterSeconds(kind, now)} s`,
    );
    this.fail(kind, now);
    return new ClawError('CK_UNAUTHORIZED', component, message);
  }

  /** Seconds until `kind` (or, without one, every kind) is open again; at least 1. */
  retryAfterSeconds(kind?: CredentialKind, now = Date.now()): number {
    const until = kind ? this.bucket(kind).lockedUntil : Math.max(0, ...[...this.buckets.values()].map((b) => b.lockedUntil));
    return Math.max(1, Math.ceil((until - now) / 1000));
  }
}
