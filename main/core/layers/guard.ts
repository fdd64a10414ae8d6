import type { IncomingMessage, ServerResponse } from 'node:http';
import { ClawError } from '../../common/errors.ts';

// Checks every request and upgrade goes through before anything else: the Host must name a
// loopback address with our port (DNS rebinding: `evil.example` resolving to 127.0.0.1 still
// carries Host: evil.example), and the Origin must be absent or the dashboard's own.

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);

export function checkHost(hostHeader: string | undefined, port: number, component: string): ClawError | null {
  if (!hostHeader) return new ClawError('CK_MISDIRECTED', component, 'a Host header is required');
  const m = /^(\[[0-9a-f:]+\]|[^:]+)(?::(\d+))?$/i.exec(hostHeader.trim());
  // Exact names only: `127.evil.com` or `localhost.evil.com` never pass a prefix test here.
  if (!m || !LOOPBACK_NAMES.has(m[1]!.toLowerCase()) || Number(m[2] ?? 80) !== port) {
    return new ClawError('CK_MISDIRECTED', component, `Host "${hostHeader.slice(0, 100)}" is not this server; use http://127.0.0.1:${port}`);
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
  res.writeHead(err.status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...headers, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

export function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  sendBody(res, status, JSON.stringify(value), headers);
}

/** A JSON body already serialized. */
export function sendBody(res: ServerResponse, status: number, body: string | Buffer, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...headers, 'content-length': Buffer.byteLength(body) });
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

/**
 * Failed-auth limiter: past `max` failures in `windowMs`, every credential check is refused for
 * `windowMs` without being made. One global bucket: every caller is local, and no header
 * (X-Forwarded-For and friends) is trusted to tell callers apart.
 */
export class AuthLimiter {
  private failures: number[] = [];
  private lockedUntil = 0;
  private readonly max: number;
  private readonly windowMs: number;
  constructor(max = 20, windowMs = 10_000) {
    this.max = max;
    this.windowMs = windowMs;
  }

  locked(now = Date.now()): boolean {
    return now < this.lockedUntil;
  }

  fail(now = Date.now()): void {
    this.failures = this.failures.filter((t) => now - t < this.windowMs);
    this.failures.push(now);
    if (this.failures.length >= this.max) {
      this.lockedUntil = now + this.windowMs;
      this.failures = [];
    }
  }

  retryAfterSeconds(now = Date.now()): number {
    return Math.max(1, Math.ceil((this.lockedUntil - now) / 1000));
  }
}
