import { readFileSync, statSync } from 'node:fs';
import writeFileAtomic from 'write-file-atomic';

/**
 * Browser sessions ended by logout: `revoked-sessions.json` in the home folder (0600), a map of
 * session id → the session's own expiry (ms). Kept in a file so a logout survives a layer restart
 * and reaches the other layer (and a standby layer taking over); entries go once their session would
 * have expired anyway, so the file stays small (at most one entry per login of the last 12 h).
 */
export class SessionRevocations {
  private readonly file: string;
  private ids = new Map<string, number>();
  private mtime = -1;
  private checkedAt = 0;

  constructor(file: string) {
    this.file = file;
  }

  /** Re-reads the file when it changed (one stat every 200 ms at most; `fresh` forces one). */
  private refresh(fresh = false): void {
    const now = Date.now();
    if (!fresh && now - this.checkedAt < 200) return;
    this.checkedAt = now;
    try {
      const m = statSync(this.file).mtimeMs;
      if (m === this.mtime) return;
      const raw = JSON.parse(readFileSync(this.file, 'utf8')) as unknown;
      const next = new Map<string, number>();
      if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
        for (const [id, exp] of Object.entries(raw as Record<string, unknown>)) if (typeof exp === 'number') next.set(id, exp);
      }
      this.ids = next;
      this.mtime = m;
    } catch {
      // No file yet (nobody logged out), or a torn/hand-edited one: keep what was known. A broken
      // file can only forget revocations of sessions already known here, never invent access.
    }
  }

  isRevoked(id: string): boolean {
    this.refresh();
    return this.ids.has(id);
  }

  /** Records a logout; throws when the file cannot be written (the logout then did not happen). */
  revoke(id: string, expiresAt: number, now = Date.now()): void {
    this.refresh(true);
    const kept: Record<string, number> = {};
    for (const [k, exp] of this.ids) if (exp > now) kept[k] = exp;
    kept[id] = expiresAt;
    writeFileAtomic.sync(this.file, JSON.stringify(kept) + '\n', { mode: 0o600, fsync: false });
    this.ids = new Map(Object.entries(kept));
    this.mtime = -1;
  }
}
