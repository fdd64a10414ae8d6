import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import type { DeliveryTargetView } from '../../common/alerts.ts';
import type { AlertToSend } from './alert-format.ts';
import type { LimitsState } from './alert-limits.ts';

/** One alert for one channel, until it is delivered. Holds no secret (those are read at send time). */
export interface OutboxEntry {
  id: string;
  channel: string;
  alert: AlertToSend;
  attempts: number;
  /** Not before this time (ms): the backoff after a failed attempt. */
  nextAt: number;
  /** It waited (the network was down, or an attempt failed): delivered marked delayed. */
  held: boolean;
  lastError?: string;
}

export interface OutboxFile {
  entries: OutboxEntry[];
  limits: LimitsState | null;
  targets: DeliveryTargetView[];
}

/** Past this many undelivered alerts the oldest go (counted in their channel's next alert). */
export const OUTBOX_MAX = 500;

/**
 * alerts/outbox.json: what has not been delivered yet survives a restart or a partition.
 * Rewritten atomically (temp file + rename) after each change; one that cannot be written (a
 * full disk) is logged, and the alerts stay in memory until it can.
 */
export class Outbox {
  private readonly file: string;
  entries: OutboxEntry[] = [];

  constructor(file: string) {
    this.file = file;
  }

  /** What the previous host left; an unreadable file is set aside as nothing (and said). */
  load(warn: (m: string) => void): Pick<OutboxFile, 'limits' | 'targets'> {
    try {
      const data = JSON.parse(readFileSync(this.file, 'utf8')) as Partial<OutboxFile>;
      this.entries = Array.isArray(data.entries) ? data.entries.filter(
        (e) => typeof e?.id === 'string' && typeof e.channel === 'string' && typeof e.alert?.event === 'string',
      ) : [];
      return { limits: data.limits ?? null, targets: Array.isArray(data.targets) ? data.targets : [] };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') warn(
        `cannot read ${this.file}: ${(err as Error).message}; starting with an empty outbox`,
      );
      return { limits: null, targets: [] };
    }
  }

  /** Adds an entry; returns those dropped to keep the outbox bounded (oldest first). */
  add(e: OutboxEntry): OutboxEntry[] {
    this.entries.push(e);
    return this.entries.length > OUTBOX_MAX ? this.entries.splice(0, this.entries.length - OUTBOX_MAX) : [];
  }

  remove(id: string): void {
    this.entries = this.entries.filter((e) => e.id !== id);
  }

  save(limits: LimitsState, targets: DeliveryTargetView[]): void {
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    const data: OutboxFile = { entries: this.entries, limits, targets };
    writeFileAtomic.sync(this.file, JSON.stringify(data) + '\n', { mode: 0o600, fsync: false });
  }
}
