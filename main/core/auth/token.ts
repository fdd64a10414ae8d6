import { createHmac, hash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import writeFileAtomic from 'write-file-atomic';
import { ClawError } from '../../common/errors.ts';

/** 256 bits, base64url: what `token` holds (mode 0600). */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * A usable key: at least 43 printable characters, the length of our 256-bit base64url tokens (a
 * token the user set by hand in another alphabet is kept). Anything else (empty after an editor
 * truncated the file, a half-written file, binary garbage) is never used to check or sign
 * anything: with an empty key anyone could sign a browser session.
 */
export function isStrongToken(t: string): boolean {
  return /^[\x21-\x7e]{43,512}$/.test(t);
}

/** What the token file holds now: the token, or why it cannot be used. */
export function readTokenFile(file: string): { token: string } | { problem: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (err) {
    return { problem: (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : `unreadable (${(err as Error).message})` };
  }
  if (isStrongToken(text)) return { token: text };
  return { problem: text === '' ? 'empty' : 'not a 256-bit base64url token' };
}

/** The host's start: the token file as it is, or a new one (only the host ever creates it). */
export function ensureToken(file: string): string {
  const r = readTokenFile(file);
  if ('token' in r) return r.token;
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
        const t = readFileSync(this.file, 'utf8').trim();
        // A short or empty read (a truncated file, a write in progress) never replaces the last
        // good token; the file is looked at again on the next check, until the host repairs it.
        if (isStrongToken(t)) {
          this.cached = t;
          this.cachedDigest = digest(t);
          this.mtime = m;
        }
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
    if (isStrongToken(t) && digestEqual(digest(candidate), this.cachedDigest)) return true;
    // A token rotated within the last 200 ms: look at the file once more before saying no.
    const again = this.current(true);
    return again !== t && isStrongToken(again) && secretsEqual(candidate, again);
  }

  /**
   * Browser session: `<expiry>.<id>.<hmac>`, valid in both layers, void after rotation; the id is
   * what logout revokes (session-revocations.ts). The page sends it in a header (credentials.ts).
   */
  signSession(ttlMs: number, now = Date.now()): string {
    const body = `${now + ttlMs}.${randomBytes(16).toString('base64url')}`;
    const mac = this.mac(body);
    if (mac === null) throw new ClawError(
      'CK_UNAVAILABLE', 'token',
      'no usable token (256 bits) to sign a session with; the host regenerates the token file within seconds, retry then',
    );
    return `${body}.${mac}`;
  }

  /** The id and expiry of a session this token signed and that has not expired; else null. */
  sessionOf(value: string | undefined | null, now = Date.now()): { id: string; expiresAt: number } | null {
    if (!this.verifySession(value, now)) return null;
    const [exp, id] = value!.split('.');
    return { id: id!, expiresAt: Number(exp) };
  }

  verifySession(value: string | undefined | null, now = Date.now()): boolean {
    if (!value) return false;
    const parts = value.split('.');
    if (parts.length !== 3) return false;
    const body = `${parts[0]}.${parts[1]}`;
    if (!(Number(parts[0]) > now)) return false;
    const mac = this.mac(body);
    return mac !== null && secretsEqual(parts[2]!, mac);
  }

  /** null without a key of 256 bits: nothing is signed or verified with a weak key. */
  private mac(body: string): string | null {
    const key = this.current();
    if (!isStrongToken(key)) return null;
    return createHmac('sha256', key).update(`clawkeeper-session:${body}`).digest('base64url');
  }
}
