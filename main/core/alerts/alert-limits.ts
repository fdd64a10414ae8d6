/**
 * Never a flood: one alert per subject per cooldown and at most `maxPerHour` per channel; what
 * is held back is counted and summed up in the channel's next alert ("and 7 more since 08:10").
 * The end of something told (`ending`: recovered, back) passes the cooldown, never the hourly cap.
 * Pure state over the time it is given (tests drive it with a FakeClock); saved with the outbox so
 * a host in a crash loop cannot flood either.
 */
export interface LimitsState {
  /** `<channel> <subject>` → when last admitted. */
  last: Record<string, number>;
  /** Per channel, the times admitted within the last hour. */
  sent: Record<string, number[]>;
  /** Per channel, what was held back since the last admitted alert. */
  suppressed: Record<string, { count: number; since: number }>;
}

export const MAX_PER_HOUR = 20;
const HOUR_MS = 3600_000;

export type Admission = { ok: true; suppressed?: { count: number; since: number } } | { ok: false };

export class AlertLimits {
  private s: LimitsState;
  private readonly maxPerHour: number;

  constructor(state?: LimitsState | null, maxPerHour = MAX_PER_HOUR) {
    this.s = state && typeof state === 'object' ? {
      last: state.last ?? {}, sent: state.sent ?? {}, suppressed: state.suppressed ?? {},
    } : { last: {}, sent: {}, suppressed: {} };
    this.maxPerHour = maxPerHour;
  }

  admit(channel: string, subject: string, ending: boolean, cooldownMs: number, now: number): Admission {
    const sent = (this.s.sent[channel] ?? []).filter((t) => now - t < HOUR_MS);
    this.s.sent[channel] = sent;
    const key = `${channel} ${subject}`;
    const last = this.s.last[key];
    const cooling = !ending && last !== undefined && now - last < cooldownMs;
    if (cooling || sent.length >= this.maxPerHour) {
      this.hold(channel, 1, now);
      return { ok: false };
    }
    this.s.last[key] = now;
    sent.push(now);
    const held = this.s.suppressed[channel];
    delete this.s.suppressed[channel];
    return held ? { ok: true, suppressed: held } : { ok: true };
  }

  /** Alerts a channel did not send (held back here, or dropped from a full outbox). */
  hold(channel: string, count: number, now: number): void {
    const held = this.s.suppressed[channel];
    this.s.suppressed[channel] = held ? { count: held.count + count, since: held.since } : { count, since: now };
  }

  /** For saving; cooldown entries older than a day are forgotten (no cooldown is that long). */
  state(now: number): LimitsState {
    for (const [k, t] of Object.entries(this.s.last)) if (now - t > 24 * HOUR_MS) delete this.s.last[k];
    return this.s;
  }
}
