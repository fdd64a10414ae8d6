/**
 * When a layer that went away comes back. Two kinds of going away:
 *
 * - Killed from outside after it had served (a signal: the OOM killer, a user's `kill`, chaos, or
 *   the supervisor itself replacing a hung layer): the layer's code is fine, so it is restarted at
 *   once, however often it happens. Backing off here only lengthens outages nobody caused.
 * - A crash loop: it exited by itself with a code (a write failing on a full disk, a bug), or it
 *   died before it ever became ready (a broken install, its port taken). Restarting it at once
 *   would only burn CPU, so each crash in a row waits longer: 100 ms, 200 ms, 400 ms … capped at
 *   5 s. The window: a crash counts as "in a row" unless the layer had been up (ready) for 5 s
 *   (`stableMs`) before it; a layer that served that long starts over at 100 ms.
 */
export interface RestartOptions {
  firstBackoffMs: number;
  maxBackoffMs: number;
  stableMs: number;
  /**
   * The cap for a layer that never became ready and said why (its port held by another
   * program): that will not fix itself in 5 s, so retrying every 5 s forever only fills the log;
   * the backoff goes on doubling up to this (default 60 s).
   */
  fatalMaxBackoffMs?: number;
}

export interface Departure {
  /** It said `ready` before it went. */
  wasReady: boolean;
  /** Milliseconds it had been ready (0 if never). */
  upMs: number;
  /** The signal that ended it, or null when it exited by itself. */
  signal: string | null;
  /** It told the host why it cannot run (`fatal`): its own exit, whatever the signal. */
  fatal: boolean;
  /** Crashes in a row so far. */
  crashes: number;
}

export interface RestartDecision {
  delayMs: number;
  /** Crashes in a row after this one. */
  crashes: number;
  crashLoop: boolean;
}

export function decideRestart(d: Departure, o: RestartOptions): RestartDecision {
  const before = d.wasReady && d.upMs > o.stableMs ? 0 : d.crashes;
  if (d.wasReady && d.signal !== null && !d.fatal) return { delayMs: 0, crashes: before, crashLoop: false };
  const cap = d.fatal && !d.wasReady ? Math.max(o.maxBackoffMs, o.fatalMaxBackoffMs ?? 60_000) : o.maxBackoffMs;
  return { delayMs: Math.min(cap, o.firstBackoffMs * 2 ** before), crashes: before + 1, crashLoop: true };
}
