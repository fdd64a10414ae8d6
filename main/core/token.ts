import { createHmac, hash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import writeFileAtomic from 'write-file-atomic';

/** 256 bits, base64url: what `token` holds (mode 0600). */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export function ensureToken(file: string): string {
  try {
    const t = readFileSync(file, 'utf8').trim();
    if (t.length >= 43) return t;
  } catch {
    // created below
  }
  const t = newToken();
  writeFileAtomic.sync(file, t + '\n', { mode: 0o600 });
  return t;
}

export function rotateToken(file: string): string {
  const t = newToken();
  writeFileAtomic.sync(file, t + '\n', { mode: 0o600 });
  return t;
}

/** Constant-time equality of two secrets (hashed first, so lengths never leak either). */
export function secretsEqual(a: string, b: string): boolean {
  return digestEqual(digest(a), digest(b));
}

function digest(s: string): Buffer {
  return hash('sha256', s, 'buffer');
}

function digestEqual(a: Buffer, b: Buffer): boolean {
  return timingSafeEqual(a, b);
}

/**
 * The token as it is on disk now: re-read when the file changes, so `clawkeeper token --rotate`
 * takes effect in every layer without a restart.
 */
export class TokenSource {
  private readonly file: string;
  private cached = '';
  private cachedDigest: Buffer = Buffer.alloc(32);
  private mtime = -1;
  private checkedAt = 0;

  constructor(file: string) {
    this.file = file;
  }

  /** At most one stat every 200 ms on the hot path; `fresh` forces one (after a mismatch). */
  current(fresh = false): string {
    const now = Date.now();
    if (!fresh && now - this.checkedAt < 200 && this.mtime !== -1) return this.cached;
    this.checkedAt = now;
    try {
      const m = statSync(this.file).mtimeMs;
      if (m !== this.mtime) {
        this.cached = readFileSync(this.file, 'utf8').trim();
        this.cachedDigest = digest(this.cached);
        this.mtime = m;
      }
    } catch {
      // keep the last known token; an unreadable file must not open the door
    }
    return this.cached;
  }

  matches(candidate: string | undefined | null): boolean {
    if (!candidate) return false;
    const t = this.current();
    // One hash a request: the token's own digest is kept until the file changes.
    if (t.length >= 43 && digestEqual(digest(candidate), this.cachedDigest)) return true;
    // A token rotated within the last 200 ms: look at the file once more before saying no.
    const again = this.current(true);
    return again !== t && again.length >= 43 && secretsEqual(candidate, again);
  }

  /** Browser session cookie: `<expiry>.<nonce>.<hmac>`, valid in both layers, void after rotation. */
  signSession(ttlMs: number, now = Date.now()): string {
    const body = `${now + ttlMs}.${randomBytes(16).toString('base64url')}`;
    return `${body}.${this.mac(body)}`;
  }

  verifySession(cookie: string | undefined | null, now = Date.now()): boolean {
    if (!cookie) return false;
    const parts = cookie.split('.');
    if (parts.length !== 3) return false;
    const body = `${parts[0]}.${parts[1]}`;
    if (!(Number(parts[0]) > now)) return false;
    return secretsEqual(parts[2]!, this.mac(body));
  }

  private mac(body: string): string {
    return createHmac('sha256', this.current()).update(`clawkeeper-session:${body}`).digest('base64url');
  }
}

export const SESSION_COOKIE = 'ck_session';

export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}
