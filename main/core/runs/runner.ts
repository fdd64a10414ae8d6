import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sanitizeSkillFields, type StatusFields } from '../../common/status-line.ts';
import type { RunOutcome, RunTrigger, SkillManifest, TokenUsage } from '../../common/types.ts';
import type { Clock } from '../scheduling/clock.ts';
import type { ChildHandle, ExitInfo, ProcessLauncher } from './launcher.ts';
import { prepareAgent, type AgentRun } from '../models/run-agent.ts';
import { inheritedEnv } from './run-env.ts';
import { RunOutput } from './run-output.ts';
import { RunCgroups } from './processes/run-cgroup.ts';
import { RunProcesses, type LeftoverReport } from './processes/run-processes.ts';

// The child entry sits beside this file (plain JS, so the build copies it as it is).
const CHILD_MODULE = fileURLToPath(new URL('./skill-child.js', import.meta.url));

export interface RunRequest {
  manifest: SkillManifest;
  dir: string;
  runId: string;
  slot: string | null;
  trigger: RunTrigger;
  attempt: number;
  home: string;
  /** What is left of the skill's day token budget (budget.tokensPerDay), from the host. */
  dayTokensLeft?: number;
}

/** How one run's process ended, as the runner saw it (the lifecycle turns it into ledger entries). */
export interface FinishedRun {
  outcome: RunOutcome;
  /** Why the run was stopped, when it was (the deadline, a newer run, the host stopping). */
  stopReason: StopReason | null;
  exitCode: number | null;
  signal: string | null;
  error?: string;
  /** The `code` of the error a JS skill threw (or its cause's: fetch wraps ECONNREFUSED). */
  errorCode?: string;
  fields: StatusFields;
  warnings: string[];
  startedAt: number;
  endedAt: number;
  logFile: string;
  outputBytes: number;
  /** The model calls' usage, summed from the child's reports as each call ended. */
  usage?: TokenUsage;
  delivery?: { status: 'delivered' | 'failed'; error?: string };
  /** Processes the run left running that were still there after SIGKILL (named in the end entry). */
  unstoppable?: { pid: number; name: string }[];
}

export type StopReason = 'deadline' | 'replaced' | 'shutdown';

export interface RunHandle {
  readonly runId: string;
  readonly pid: number | undefined;
  readonly startedAt: number;
  readonly done: Promise<FinishedRun>;
  stop(reason: StopReason): void;
}

export interface RunnerOptions {
  launcher: ProcessLauncher;
  clock: Clock;
  logsDir: string;
  /** Bytes of output kept per run; the rest is counted and dropped. */
  logCapBytes?: number;
  /** Time between SIGTERM and SIGKILL. */
  killGraceMs?: number;
  /** Logs kept per skill. */
  logsKept?: number;
  baseEnv?: NodeJS.ProcessEnv;
  /**
   * False while storage is short: the output is counted and dropped, never written (logs go first).
   * Asked at the start and again every 16 KiB of output, so one loud run cannot eat the reserve.
   */
  logsAllowed?: () => boolean;
  /** A log that could not be written (full disk): reported, never thrown. */
  onLogError?: (path: string, err: unknown) => void;
  /** Where runs get a cgroup each (Linux); default: probed once per process, null where none may be made. */
  cgroups?: RunCgroups | null;
}

let probed: RunCgroups | null | undefined;
/** The host's run cgroups, probed on first use; cgroups left by dead hosts are cleared then. */
export function defaultRunCgroups(): RunCgroups | null {
  if (probed === undefined) {
    probed = RunCgroups.probe();
    probed?.clearStale();
  }
  return probed;
}

/** Environment of a run: an allowlist of the host's (run-env.ts), plus the skill's own and ours. */
function runEnv(base: NodeJS.ProcessEnv, req: RunRequest): NodeJS.ProcessEnv {
  const env = inheritedEnv(base, req.manifest.inheritEnv);
  Object.assign(env, req.manifest.env, {
    CLAWKEEPER_HOME: req.home,
    CLAWKEEPER_SKILL: req.manifest.name,
    CLAWKEEPER_RUN_ID: req.runId,
    CLAWKEEPER_SLOT: req.slot ?? '',
    CLAWKEEPER_TRIGGER: req.trigger,
  });
  return env;
}

/** Starts one run in its own process. The returned promise never rejects: every end is a result. */
export function startRun(req: RunRequest, opts: RunnerOptions): RunHandle {
  const startedAt = opts.clock.now();
  const logDir = join(opts.logsDir, req.manifest.name);
  const output = new RunOutput(logDir, join(logDir, `${req.runId}.log`), opts);
  // Model, budget, prompt and deadline for the child; the API key goes over IPC, never in env.
  const agent = prepareAgent(req, opts.baseEnv ?? process.env, startedAt, Date.now() + req.manifest.timeoutSeconds * 1000);
  const graceMs = opts.killGraceMs ?? 5000;
  const cgroup = agent.error === undefined
    ? ((opts.cgroups === undefined ? defaultRunCgroups() : opts.cgroups)?.create(req.runId) ?? null)
    : null;
  const launched = launchChild(req, opts, agent, cgroup?.procsFile);
  // Everything the run starts, so that none of it outlives the run (run-processes.ts).
  const procs = launched.child ? new RunProcesses(req.runId, cgroup, () => launched.child?.pid) : null;
  if (!procs) cgroup?.remove();
  const stopper = runStopper(launched.child, graceMs, () => void procs?.stop(graceMs));

  const done = new Promise<FinishedRun>((resolve) => {
    watchChild(launched, output, agent, (end) => {
      const endedAt = opts.clock.now();
      stopper.clearTimers();
      // The run's own process has ended: what it left running is stopped before the end is written.
      void (procs?.stop(graceMs) ?? Promise.resolve(null)).then((left) => {
        procs?.release();
        resolve(runResult(req, agent, output, { ...end, stopReason: stopper.reason, startedAt, endedAt, left }));
      });
    });
    if (launched.child) stopper.startDeadline(req.manifest.timeoutSeconds * 1000);
  });

  return {
    runId: req.runId,
    get pid() {
      return launched.child?.pid;
    },
    startedAt,
    done,
    stop: stopper.stop,
  };
}

/** The started process, or why there is none (no child means a spawn error, and the other way round). */
type Launched = { child: ChildHandle; spawnError: null } | { child: null; spawnError: string };

/** Forks the JS entry (a code or prompt skill) or spawns the command, in the run's environment. */
function launchChild(req: RunRequest, opts: RunnerOptions, agent: AgentRun, cgroupProcs: string | undefined): Launched {
  // The model side could not be prepared (a missing model, a key or prompt file): nothing to start.
  if (agent.error !== undefined) return { child: null, spawnError: agent.error };
  const env = runEnv(opts.baseEnv ?? process.env, req);
  for (const k of agent.secretEnv) delete env[k];
  const name = `skill ${req.manifest.name}`;
  const launch = { cwd: req.dir, env, name, ...(cgroupProcs ? { cgroupProcs } : {}) };
  try {
    if (req.manifest.entry || agent.spec.prompt) {
      env.CLAWKEEPER_RUN_SPEC = JSON.stringify({
        entry: req.manifest.entry ? join(req.dir, req.manifest.entry) : '',
        context: { name: req.manifest.name, runId: req.runId, slot: req.slot, home: req.home, trigger: req.trigger, attempt: req.attempt },
        ...agent.spec,
      });
      return { child: opts.launcher.fork(CHILD_MODULE, [], launch), spawnError: null };
    }
    const [cmd, ...args] = req.manifest.command!;
    return { child: opts.launcher.spawn(cmd!, args, launch), spawnError: null };
  } catch (err) {
    return { child: null, spawnError: (err as Error).message };
  }
}

/** What the child reported over IPC, besides the agent's own messages. */
interface ChildReports {
  result: { fields?: unknown } | null;
  errorMessage: string | null;
  /** The `code` of the error a JS skill threw (or its cause's). */
  errorCode?: string;
}

/** How a run ended: its exit (none when it never started) and what it reported. */
interface RunEnd {
  exit: ExitInfo | null;
  spawnError: string | null;
  reports: ChildReports;
}

/**
 * Follows the child until it ends: its output goes to the log, its messages to the reports.
 * Calls `onEnd` once: at exit, or at once when there is no process.
 */
function watchChild(launched: Launched, output: RunOutput, agent: AgentRun, onEnd: (end: RunEnd) => void): void {
  const reports: ChildReports = { result: null, errorMessage: null };
  if (!launched.child) return onEnd({ exit: null, spawnError: launched.spawnError, reports });
  const child = launched.child;
  child.stdout?.on('data', (c: Buffer) => output.capture(c, true));
  child.stderr?.on('data', (c: Buffer) => output.capture(c, false));
  child.onMessage((m) => readReport(m, child, agent, reports));
  let ended = false;
  child.onError((err) => {
    if (ended) return;
    // spawn failures (ENOENT, EACCES) arrive here and no exit follows for them
    if (child.pid === undefined) {
      ended = true;
      onEnd({ exit: null, spawnError: err.message, reports });
    }
  });
  child.onExit((info) => {
    if (ended) return;
    ended = true;
    onEnd({ exit: info, spawnError: null, reports });
  });
}

/** One message from the child: the agent's (key, usage, delivery) first, else a result or an error. */
function readReport(m: unknown, child: ChildHandle, agent: AgentRun, reports: ChildReports): void {
  const msg = m as { type?: string; fields?: unknown; message?: string };
  if (msg && typeof msg === 'object' && agent.onMessage(msg, child)) return;
  if (msg?.type === 'result') reports.result = msg;
  else if (msg?.type === 'error') {
    reports.errorMessage = String(msg.message ?? 'error').slice(0, 2000);
    const code = (msg as { code?: unknown }).code;
    if (typeof code === 'string') reports.errorCode = code.slice(0, 64);
  }
}

/**
 * Stopping a run: SIGTERM, then SIGKILL after the grace; the deadline stops it the same way.
 * `stopRest` stops every other process of the run alongside (run-processes.ts).
 */
function runStopper(child: ChildHandle | null, graceMs: number, stopRest: () => void) {
  let reason: StopReason | null = null;
  let killTimer: NodeJS.Timeout | undefined;
  let deadlineTimer: NodeJS.Timeout | undefined;
  const stop = (why: StopReason) => {
    if (!child || reason) return;
    reason = why;
    child.kill('SIGTERM');
    stopRest();
    killTimer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    killTimer.unref?.();
  };
  return {
    /** Why the run was stopped, if it was: the first reason wins. */
    get reason() {
      return reason;
    },
    stop,
    startDeadline(ms: number) {
      deadlineTimer = setTimeout(() => stop('deadline'), ms);
    },
    clearTimers() {
      clearTimeout(deadlineTimer);
      clearTimeout(killTimer);
    },
  };
}

/** The run's result from how it ended; the log gets the outcome as its last line. */
function runResult(
  req: RunRequest, agent: AgentRun, output: RunOutput,
  end: RunEnd & { stopReason: StopReason | null; startedAt: number; endedAt: number; left: LeftoverReport | null },
): FinishedRun {
  const { outcome, error: why, rawFields } = runOutcome(req, agent, output, end);
  const { fields, warnings } = sanitizeSkillFields(rawFields);
  const lost = output.lossWarning();
  if (lost) warnings.push(lost);
  const { exit, reports, left } = end;
  const named = (ps: { pid: number; name: string }[]) => ps.map((p) => `${p.name} (pid ${p.pid})`).join(', ');
  if (left && left.stopped.length > 0) warnings.push(
    `stopped ${left.stopped.length} process(es) the run left running: ${named(left.stopped.slice(0, 10))}`,
  );
  const unstoppable = left?.unstoppable ?? [];
  // Named where every view shows it (the error column), and kept in the entry for tools.
  const error = unstoppable.length > 0 ? `${why ? `${why}; ` : ''}could not stop ${named(unstoppable.slice(0, 10))}, left to the OS` : why;
  output.close(outcome, error);
  return {
    outcome,
    stopReason: end.stopReason,
    exitCode: exit?.code ?? null,
    signal: exit?.signal ?? null,
    error,
    ...(outcome === 'failure' && reports.errorCode ? { errorCode: reports.errorCode } : {}),
    fields,
    warnings,
    startedAt: end.startedAt,
    endedAt: end.endedAt,
    logFile: output.logFile,
    outputBytes: output.logged + output.dropped,
    ...(agent.usage() ? { usage: agent.usage() } : {}),
    ...(agent.delivery() ? { delivery: agent.delivery() } : {}),
    ...(unstoppable.length > 0 ? { unstoppable } : {}),
  };
}

/** What the end means: the first case that applies, from could-not-start down to success. */
function runOutcome(
  req: RunRequest, agent: AgentRun, output: RunOutput, end: RunEnd & { stopReason: StopReason | null },
): { outcome: RunOutcome; error?: string; rawFields?: unknown } {
  const { exit, spawnError, stopReason, reports } = end;
  const { lastStderr } = output;
  // A JS entry or a prompt reports over IPC; a command may print JSON as its last line.
  const reportsOverIpc = req.manifest.entry || agent.spec.prompt;
  if (spawnError !== null) return { outcome: 'failure', error: `could not start: ${spawnError}` };
  if (stopReason === 'deadline') {
    return {
      outcome: 'timeout',
      error: `did not finish within timeoutSeconds=${req.manifest.timeoutSeconds}; stopped with SIGTERM${exit?.signal === 'SIGKILL' ? ', then SIGKILL' : ''}`,
    };
  }
  // Not the skill's failure: interrupted (retried by policy, never counted by the breaker).
  if (exit?.lost) return { outcome: 'interrupted', error: exit.lost };
  if (stopReason !== null) {
    return {
      outcome: 'interrupted',
      error: stopReason === 'replaced' ? 'stopped: a newer run replaced it (overlap=replace)' : 'stopped: the host shut down',
    };
  }
  if (exit && exit.signal) return { outcome: 'crashed', error: `killed by ${exit.signal}${lastStderr ? `: ${lastStderr}` : ''}` };
  if (exit && exit.code !== 0) {
    return {
      outcome: agent.errorKind ?? 'failure',
      error: reports.errorMessage ?? `exited with code ${exit.code}${lastStderr ? `: ${lastStderr}` : ''}`,
    };
  }
  if (reportsOverIpc && !reports.result) return {
    outcome: 'failure', error: reports.errorMessage ?? 'the process exited without reporting a result',
  };
  return { outcome: 'success', rawFields: reportsOverIpc ? reports.result?.fields : lastJsonLine(output.stdoutTail) };
}

/** A command skill may print one JSON object as its last stdout line. */
function lastJsonLine(tail: string): unknown {
  const lines = tail.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const last = lines[lines.length - 1];
  if (!last || !last.startsWith('{')) return undefined;
  try {
    return JSON.parse(last);
  } catch {
    return undefined;
  }
}
