// The host socket's protocol (host.sock in the home folder): newline-delimited JSON, one request
// per line, one reply line per request. The CLI and the gateway's IPC commands both speak it
// (main/core/front/host-commands.ts executes it), so every front-end behaves the same.

export type HostOp = 'run' | 'pause' | 'resume' | 'reset-breaker' | 'status' | 'run-once' | 'login-code' | 'backfill' | 'alerts-test';

export const HOST_OPS: readonly HostOp[] = [
  'run', 'pause', 'resume', 'reset-breaker', 'status', 'run-once', 'login-code', 'backfill', 'alerts-test',
];

/** The commands on one skill that every front-end (CLI, dashboard, tray) sends the same way. */
export type SkillOp = 'run' | 'pause' | 'resume' | 'reset-breaker';

export interface HostRequest {
  id: number;
  op: HostOp;
  skill?: string;
  /** run-once: the slot (ISO-8601) to hand to the host. */
  slot?: string;
  /** run-once: what the run serves; default schedule. */
  trigger?: 'schedule' | 'manual';
  /** run-once / run: ignore the skill's `needs` (dependencies). */
  force?: boolean;
  /** backfill: the range (ISO, both ends included), whether only to plan, and how many may run. */
  from?: string;
  to?: string;
  dryRun?: boolean;
  max?: number;
  /** pause: why, kept with the pause and shown beside the state in every view (at most 200 characters). */
  note?: string;
  /** alerts-test: one channel (default: every channel). */
  channel?: string;
}

export interface HostError {
  code: string;
  message: string;
}

/** `id` is null only when the request line could not be read at all (not JSON, too long). */
export type HostReply = {
  id: number | null; ok: true; result: Record<string, unknown>;
} | { id: number | null; ok: false; error: HostError };

export interface RunStartedReply {
  run_id: string | null;
  queued: boolean;
  /** A queued run waits for this one (still running). */
  behind?: string | null;
}

export interface RunOnceReply extends RunStartedReply {
  /** The slot already has a ledger entry: nothing was started. */
  done: boolean;
}

/** A request line longer than this is refused (as the gateway refuses bodies over 64 KiB). */
export const HOST_FRAME_MAX = 64 * 1024;
