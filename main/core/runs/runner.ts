import { createWriteStream, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { Writable } from 'node:stream';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sanitizeSkillFields, type StatusFields } from '../../common/status-line.ts';
import type { RunOutcome, RunTrigger, SkillManifest, TokenUsage } from '../../common/types.ts';
import type { Clock } from '../scheduling/clock.ts';
import type { ChildHandle, ExitInfo, ProcessLauncher } from './launcher.ts';
import { prepareAgent } from '../models/run-agent.ts';
import { inheritedEnv } from './run-env.ts';

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

export interface RunResult {
  outcome: RunOutcome;
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
}

export type StopReason = 'deadline' | 'replaced' | 'shutdown';

export interface RunHandle {
  readonly runId: string;
  readonly pid: number | undefined;
  readonly startedAt: number;
  readonly done: Promise<RunResult>;
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
}

const TAIL_BYTES = 64 * 1024;

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
  const { clock, launcher } = opts;
  const cap = opts.logCapBytes ?? 1024 * 1024;
  const grace = opts.killGraceMs ?? 5000;
  const startedAt = clock.now();
  const logDir = join(opts.logsDir, req.manifest.name);
  const logFile = join(logDir, `${req.runId}.log`);
  const log = openLog(logDir, logFile, opts);
  let logged = 0;
  let dropped = 0;
  let sinceCheck = 0;
  let logOff = false;
  let stdoutTail = '';
  let lastStderr = '';

  const env = runEnv(opts.baseEnv ?? process.env, req);
  // Model, budget, prompt and deadline for the child; the API key goes over IPC, never in env.
  const agent = prepareAgent(req, opts.baseEnv ?? process.env, startedAt, Date.now() + req.manifest.timeoutSeconds * 1000);
  for (const k of agent.secretEnv) delete env[k];
  let child: ChildHandle | null = null;
  let spawnError: string | null = agent.error ?? null;
  try {
    if (spawnError !== null) {
      // nothing to start
    } else if (req.manifest.entry || agent.spec.prompt) {
      env.CLAWKEEPER_RUN_SPEC = JSON.stringify({
        entry: req.manifest.entry ? join(req.dir, req.manifest.entry) : '',
        context: { name: req.manifest.name, runId: req.runId, slot: req.slot, home: req.home, trigger: req.trigger, attempt: req.attempt },
        ...agent.spec,
      });
      child = launcher.fork(CHILD_MODULE, [], { cwd: req.dir, env, name: `skill ${req.manifest.name}` });
    } else {
      const [cmd, ...args] = req.manifest.command!;
      child = launcher.spawn(cmd!, args, { cwd: req.dir, env, name: `skill ${req.manifest.name}` });
    }
  } catch (err) {
    spawnError = (err as Error).message;
  }

  let stopReason: StopReason | null = null;
  let resultMessage: { fields?: unknown } | null = null;
  let errorMessage: string | null = null;
  let errorCode: string | undefined;
  let killTimer: NodeJS.Timeout | undefined;
  let deadlineTimer: NodeJS.Timeout | undefined;

  const capture = (chunk: Buffer, isStdout: boolean) => {
    sinceCheck += chunk.length;
    if (sinceCheck >= 16 * 1024 && !logOff) {
      sinceCheck = 0;
      logOff = opts.logsAllowed?.() === false;
    }
    const room = logOff ? 0 : cap - logged;
    if (room > 0) {
      const part = chunk.length <= room ? chunk : chunk.subarray(0, room);
      log.write(part);
      logged += part.length;
      dropped += chunk.length - part.length;
    } else {
      dropped += chunk.length;
    }
    const text = chunk.toString('utf8');
    if (isStdout) {
      stdoutTail = (stdoutTail + text).slice(-TAIL_BYTES);
    } else {
      const lines = text.split('\n').filter((l) => l.trim() !== '');
      if (lines.length > 0) lastStderr = lines[lines.length - 1]!.slice(0, 500);
    }
  };

  const stop = (reason: StopReason) => {
    if (!child || stopReason) return;
    stopReason = reason;
    child.kill('SIGTERM');
    killTimer = setTimeout(() => child?.kill('SIGKILL'), grace);
    killTimer.unref?.();
  };

  const done = new Promise<RunResult>((resolve) => {
    const finish = (exit: ExitInfo | null) => {
      clearTimeout(deadlineTimer);
      clearTimeout(killTimer);
      const endedAt = clock.now();
      let outcome: RunOutcome;
      let error: string | undefined;
      let rawFields: unknown = undefined;
      if (spawnError !== null) {
        outcome = 'failure';
        error = `could not start: ${spawnError}`;
      } else if (stopReason === 'deadline') {
        outcome = 'timeout';
        error = `did not finish within timeoutSeconds=${req.manifest.timeoutSeconds}; stopped with SIGTERM${exit?.signal === 'SIGKILL' ? ', then SIGKILL' : ''}`;
      } else if (exit?.lost) {
        // Not the skill's failure: interrupted (retried by policy, never counted by the breaker).
        outcome = 'interrupted';
        error = exit.lost;
      } else if (stopReason !== null) {
        outcome = 'interrupted';
        error = stopReason === 'replaced' ? 'stopped: a newer run replaced it (overlap=replace)' : 'stopped: the host shut down';
      } else if (exit && exit.signal) {
        outcome = 'crashed';
        error = `killed by ${exit.signal}${lastStderr ? `: ${lastStderr}` : ''}`;
      } else if (exit && exit.code !== 0) {
        outcome = agent.errorKind ?? 'failure';
        error = errorMessage ?? `exited with code ${exit.code}${lastStderr ? `: ${lastStderr}` : ''}`;
      } else if ((req.manifest.entry || agent.spec.prompt) && !resultMessage) {
        outcome = 'failure';
        error = errorMessage ?? 'the process exited without reporting a result';
      } else {
        outcome = 'success';
        rawFields = req.manifest.entry || agent.spec.prompt ? resultMessage?.fields : lastJsonLine(stdoutTail);
      }
      const { fields, warnings } = sanitizeSkillFields(rawFields);
      if (logOff) warnings.push(`the disk is nearly full: ${dropped} bytes of output not kept in the log`);
      else if (dropped > 0) warnings.push(`output over ${cap} bytes: ${dropped} bytes not kept in the log`);
      const trailer = `\n[clawkeeper] ${outcome}${error ? `: ${error}` : ''}${dropped > 0 ? ` (${dropped} bytes of output dropped)` : ''}\n`;
      log.end(trailer, () => {
        pruneLogs(logDir, opts.logsKept ?? 30);
      });
      resolve({
        outcome,
        exitCode: exit?.code ?? null,
        signal: exit?.signal ?? null,
        error,
        ...(outcome === 'failure' && errorCode ? { errorCode } : {}),
        fields,
        warnings,
        startedAt,
        endedAt,
        logFile,
        outputBytes: logged + dropped,
        ...(agent.usage() ? { usage: agent.usage() } : {}),
        ...(agent.delivery() ? { delivery: agent.delivery() } : {}),
      });
    };

    if (!child) return finish(null);
    child.stdout?.on('data', (c: Buffer) => capture(c, true));
    child.stderr?.on('data', (c: Buffer) => capture(c, false));
    child.onMessage((m) => {
      const msg = m as { type?: string; fields?: unknown; message?: string };
      if (msg && typeof msg === 'object' && agent.onMessage(msg, child)) return;
      if (msg?.type === 'result') resultMessage = msg;
      else if (msg?.type === 'error') {
        errorMessage = String(msg.message ?? 'error').slice(0, 2000);
        const code = (msg as { code?: unknown }).code;
        if (typeof code === 'string') errorCode = code.slice(0, 64);
      }
    });
    let ended = false;
    child.onError((err) => {
      if (ended) return;
      // spawn failures (ENOENT, EACCES) arrive here and no exit follows for them
      if (child?.pid === undefined) {
        ended = true;
        spawnError = err.message;
        finish(null);
      }
    });
    child.onExit((info) => {
      if (ended) return;
      ended = true;
      finish(info);
    });
    deadlineTimer = setTimeout(() => stop('deadline'), req.manifest.timeoutSeconds * 1000);
  });

  return {
    runId: req.runId,
    get pid() {
      return child?.pid;
    },
    startedAt,
    done,
    stop,
  };
}

/** The run's log file, or a sink that drops everything when logs are given up or cannot be opened. */
function openLog(logDir: string, logFile: string, opts: RunnerOptions): Writable {
  const sink = () => new Writable({ write: (_c, _e, cb) => cb() });
  if (opts.logsAllowed?.() === false) return sink();
  try {
    mkdirSync(logDir, { recursive: true, mode: 0o700 });
  } catch (err) {
    opts.onLogError?.(logDir, err);
    return sink();
  }
  const log = createWriteStream(logFile, { mode: 0o600 });
  let reported = false;
  log.on('error', (err) => {
    if (!reported) opts.onLogError?.(logFile, err);
    reported = true;
  });
  return log;
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

function pruneLogs(dir: string, keep: number): void {
  try {
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.log'))
      .map((f) => ({ f, t: statSync(join(dir, f)).mtimeMs }))
      .sort((a, b) => b.t - a.t);
    for (const { f } of files.slice(keep)) rmSync(join(dir, f), { force: true });
  } catch {
    // pruning is housekeeping; a failure here loses nothing
  }
}
