// The circuit breaker of each skill: after `failures` slots in a row whose final outcome (after
// retries) is failure, timeout or crashed, the skill is tripped; its slots are skipped
// `breaker-open` until the cool-down ends; then the next due slot runs as a probe. Success closes
// it, failure re-opens it with the cool-down doubled (cap 1 h). A provider outage
// (upstream-failure), a budget refusal or an interruption neither counts nor resets the count:
// they say nothing about the skill itself. State is kept in runs/_breakers.json.
import { formatTime } from '../../common/time-words.js';
import { readFileSync } from 'node:fs';
import writeFileAtomic from 'write-file-atomic';
import type { BreakerPolicy, RunOutcome } from '../../common/types.ts';
import type { Logger } from '../home/logger.ts';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerRecord {
  state: BreakerState;
  /** Counted outcomes in a row. */
  failures: number;
  /** When an open breaker lets the next due slot probe (ISO), or null. */
  until: string | null;
  /** The cool-down in force (doubles after each failed probe). */
  coolDownSeconds: number | null;
}

export interface BreakerView {
  state: BreakerState;
  until: string | null;
  failures: number;
}

export type Admission = { kind: 'run' } | { kind: 'probe' } | { kind: 'skip'; detail: string };

export const COOL_DOWN_CAP_SECONDS = 3600;
const COUNTED: ReadonlySet<RunOutcome> = new Set(['failure', 'timeout', 'crashed']);
const CLOSED: BreakerRecord = { state: 'closed', failures: 0, until: null, coolDownSeconds: null };

export class Breakers {
  private readonly file: string;
  private readonly log: Logger;
  private records = new Map<string, BreakerRecord>();

  constructor(file: string, logger: Logger) {
    this.file = file;
    this.log = logger.child('breaker');
  }

  load(): void {
    this.records = readBreakers(this.file, this.log);
  }

  get(skill: string): BreakerRecord {
    return this.records.get(skill) ?? CLOSED;
  }

  view(skill: string, policy: BreakerPolicy): BreakerView | null {
    if (policy === false) return null;
    const r = this.get(skill);
    return { state: r.state, until: r.until, failures: r.failures };
  }

  /**
   * May a scheduled slot of this skill start now? `probeUnderWay`: a probe run of this skill is
   * running, queued or waiting for its retry in this host (the host knows; a probe cut off by a
   * restart, or dropped on the way, leaves none, so the next due slot probes again).
   */
  admit(skill: string, policy: BreakerPolicy, now: number, probeUnderWay = false): Admission {
    if (policy === false) return { kind: 'run' };
    const r = this.get(skill);
    if (r.state === 'closed') return { kind: 'run' };
    if (r.state === 'open' && r.until && now < Date.parse(r.until)) {
      return {
        kind: 'skip',
        detail: `breaker open after ${r.failures} failed runs in a row; the next due slot after ${formatTime(
          r.until, { now, seconds: true },
        )} runs as a probe`,
      };
    }
    if (r.state === 'half-open' && probeUnderWay) return { kind: 'skip', detail: 'breaker half-open: a probe run is under way' };
    if (r.state !== 'half-open') this.set(skill, { ...r, state: 'half-open' });
    return { kind: 'probe' };
  }

  /** A run's final outcome (after its retries). Returns the new record when the state changed. */
  record(skill: string, policy: BreakerPolicy, outcome: RunOutcome, probe: boolean, now: number): BreakerRecord | null {
    if (policy === false) return null;
    const r = this.get(skill);
    const counted = COUNTED.has(outcome);
    if (outcome === 'success') {
      if (r.state === 'closed' && r.failures === 0) return null;
      this.set(skill, CLOSED);
      return r.state === 'closed' ? null : CLOSED;
    }
    if (!counted) return null;
    const failures = r.failures + 1;
    if (probe || r.state === 'half-open') {
      const cool = Math.min(COOL_DOWN_CAP_SECONDS, (r.coolDownSeconds ?? policy.coolDownSeconds) * 2);
      const next: BreakerRecord = { state: 'open', failures, until: new Date(now + cool * 1000).toISOString(), coolDownSeconds: cool };
      this.set(skill, next);
      return next;
    }
    if (r.state === 'closed' && failures >= policy.failures) {
      const cool = Math.min(COOL_DOWN_CAP_SECONDS, policy.coolDownSeconds);
      const next: BreakerRecord = { state: 'open', failures, until: new Date(now + cool * 1000).toISOString(), coolDownSeconds: cool };
      this.set(skill, next);
      return next;
    }
    this.set(skill, { ...r, failures });
    return null;
  }

  /** A manual resume or run closes the breaker at once. Returns true if it was not closed. */
  close(skill: string): boolean {
    const was = this.get(skill);
    if (was.state === 'closed' && was.failures === 0) return false;
    this.set(skill, CLOSED);
    return was.state !== 'closed';
  }

  private set(skill: string, r: BreakerRecord): void {
    if (r.state === 'closed' && r.failures === 0) this.records.delete(skill);
    else this.records.set(skill, r);
    try {
      writeFileAtomic.sync(this.file, JSON.stringify(Object.fromEntries(this.records), null, 1) + '\n', { mode: 0o600, fsync: false });
    } catch (err) {
      this.log.warn(`cannot write ${this.file}: ${(err as Error).message}; the breaker state lives in memory until it can`);
    }
  }
}

/** Reads runs/_breakers.json (a corrupt file is reported and read as all closed). */
export function readBreakers(file: string, log: Logger): Map<string, BreakerRecord> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') log.warn(`${file}: ${(err as Error).message}; every breaker starts closed`);
    return new Map();
  }
  const out = new Map<string, BreakerRecord>();
  if (typeof raw !== 'object' || raw === null) return out;
  for (const [k, v] of Object.entries(raw as Record<string, Partial<BreakerRecord>>)) {
    if (!v || (v.state !== 'open' && v.state !== 'half-open' && v.state !== 'closed')) continue;
    out.set(k, {
      state: v.state, failures: Number(v.failures) || 0, until: typeof v.until === 'string' ? v.until : null,
      coolDownSeconds: typeof v.coolDownSeconds === 'number' ? v.coolDownSeconds : null,
    });
  }
  return out;
}
