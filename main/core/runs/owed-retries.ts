// Retries owed, kept on disk (runs/_retries.json) from the moment one is decided until it is
// started: a retry waiting out its backoff is as durable as a slot. A host killed during the
// backoff leaves it here, and the next host runs it (at its due time, or at once if that is past)
// as the same attempt of the same slot. run-once writes here too, so a run-once killed while it
// waits leaves its retry to the next host.
import { readFileSync } from 'node:fs';
import writeFileAtomic from 'write-file-atomic';

export interface OwedRetry {
  skill: string;
  slot: string;
  /** The attempt the retry will be (2 after a first attempt failed). */
  attempt: number;
  /** When it is due (ISO). */
  due: string;
  probe?: boolean;
}

function valid(r: unknown): r is OwedRetry {
  const o = r as OwedRetry;
  return !!o && typeof o.skill === 'string' && typeof o.slot === 'string' && Number.isInteger(o.attempt) && o.attempt > 1
    && !Number.isNaN(Date.parse(o.due));
}

const same = (
  a: OwedRetry, b: Pick<OwedRetry, 'skill' | 'slot' | 'attempt'>,
) => a.skill === b.skill && a.slot === b.slot && a.attempt === b.attempt;

export class OwedRetries {
  private readonly file: string;
  private readonly onWriteError: (err: unknown) => void;
  private owed: OwedRetry[] = [];

  constructor(file: string, onWriteError: (err: unknown) => void) {
    this.file = file;
    this.onWriteError = onWriteError;
  }

  /** What a previous host (or run-once) left owed; an unreadable file owes nothing (the ledger still has the failure). */
  load(): OwedRetry[] {
    try {
      const raw = JSON.parse(readFileSync(this.file, 'utf8')) as { retries?: unknown[] };
      this.owed = (raw.retries ?? []).filter(valid);
    } catch {
      this.owed = [];
    }
    return [...this.owed];
  }

  list(): OwedRetry[] {
    return [...this.owed];
  }

  add(r: OwedRetry): void {
    this.owed = [...this.owed.filter((o) => !same(o, r)), r];
    this.save();
  }

  /** The retry started (or was recorded as not run): no longer owed. */
  settle(r: Pick<OwedRetry, 'skill' | 'slot' | 'attempt'>): void {
    const before = this.owed.length;
    this.owed = this.owed.filter((o) => !same(o, r));
    if (this.owed.length !== before) this.save();
  }

  private save(): void {
    try {
      writeFileAtomic.sync(this.file, JSON.stringify({ retries: this.owed }) + '\n', { mode: 0o600, fsync: false });
    } catch (err) {
      this.onWriteError(err);
    }
  }
}
