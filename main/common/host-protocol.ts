// The host socket's protocol (host.sock in the home folder): newline-delimited JSON, one request
// per line, one reply line per request. The CLI and the gateway's IPC commands both speak it
// (main/core/host/host-commands.ts executes it), so every front-end behaves the same.

export type HostOp = 'run' | 'pause' | 'resume' | 'status' | 'run-once' | 'login-code';

export const HOST_OPS: readonly HostOp[] = ['run', 'pause', 'resume', 'status', 'run-once', 'login-code'];

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
}

export interface HostError {
  code: string;
  message: string;
}

/** `id` is null only when the request line could not be read at all (not JSON, too long). */
export type HostReply = { id: number | null; ok: true; result: Record<string, unknown> } | { id: number | null; ok: false; error: HostError };

export interface RunStartedReply {
  run_id: string | null;
  queued: boolean;
}

export interface RunOnceReply extends RunStartedReply {
  /** The slot already has a ledger entry: nothing was started. */
  done: boolean;
}

/** A request line longer than this is refused (as the gateway refuses bodies over 64 KiB). */
export const HOST_FRAME_MAX = 64 * 1024;
