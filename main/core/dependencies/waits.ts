// What waits for a dependency: per skill, the first slot it owes (nothing is written in the
// ledger for a waiting slot) and the retries that met the outage. The slots are kept in
// runs/_deferred.json, so a host stopped during the wait still knows where to start.
import { readFileSync } from 'node:fs';
import writeFileAtomic from 'write-file-atomic';
import type { RunTrigger } from '../../common/types.ts';

export interface WaitingRetry {
  slot: string | null;
  trigger: RunTrigger;
  attempt: number;
  probe?: boolean;
}

export class DependencyWaits {
  private readonly file: string;
  private readonly onWriteError: (err: unknown) => void;
  private readonly slots = new Map<string, { deps: string[]; since: number }>();
  private readonly retries = new Map<string, WaitingRetry[]>();

  constructor(file: string, onWriteError: (err: unknown) => void) {
    this.file = file;
    this.onWriteError = onWriteError;
  }

  /** Reads what a previous host left waiting (none, or unreadable: the ledger alone says). */
  load(): void {
    try {
      const raw = JSON.parse(readFileSync(this.file, 'utf8')) as Record<string, unknown>;
      for (const [n, v] of Object.entries(raw)) {
        const t = typeof v === 'string' ? Date.parse(v) : NaN;
        if (Number.isFinite(t)) this.slots.set(n, { deps: [], since: t });
      }
    } catch {
      // nothing was waiting
    }
  }

  /** A due slot waits: remembered from the oldest one (a slot back from the full-disk backlog widens the wait). */
  defer(name: string, slot: number, deps: string[]): void {
    const d = this.slots.get(name);
    if (d) {
      d.deps = deps;
      if (slot >= d.since) return;
      d.since = slot;
    } else {
      this.slots.set(name, { deps, since: slot });
    }
    this.save();
  }

  addRetry(name: string, r: WaitingRetry): void {
    this.retries.set(name, [...(this.retries.get(name) ?? []), r]);
  }

  /** The retries a skill owes, handed over once. */
  takeRetries(name: string): WaitingRetry[] {
    const r = this.retries.get(name) ?? [];
    this.retries.delete(name);
    return r;
  }

  hasProbeRetry(name: string): boolean {
    return (this.retries.get(name) ?? []).some((r) => r.probe);
  }

  /** The first slot a skill owes, and what it waited for. */
  of(name: string): { since: number; deps: string[] } | undefined {
    return this.slots.get(name);
  }

  /** Every skill with a slot or a retry waiting. */
  skills(): string[] {
    return [...new Set([...this.slots.keys(), ...this.retries.keys()])];
  }

  /** Their wait is over (their slots are being handled): forgotten, and the file follows. */
  release(names: Iterable<string>): void {
    let changed = false;
    for (const n of names) changed = this.slots.delete(n) || changed;
    if (changed) this.save();
  }

  /** Skills that no longer exist or are invalid wait for nothing. */
  keepOnly(valid: (name: string) => boolean): void {
    this.release([...this.slots.keys()].filter((n) => !valid(n)));
    for (const n of [...this.retries.keys()]) if (!valid(n)) this.retries.delete(n);
  }

  private save(): void {
    const data = Object.fromEntries([...this.slots].map(([n, d]) => [n, new Date(d.since).toISOString()]));
    try {
      writeFileAtomic.sync(this.file, JSON.stringify(data) + '\n', { mode: 0o600, fsync: false });
    } catch (err) {
      this.onWriteError(err);
    }
  }
}
