// @ts-check
// The run launcher: a small process that creates the runs' processes for the host, so the host's
// event loop never blocks in fork/spawn. Creating a process costs time in proportion to the size
// of the process that creates it (measured: ~2.5 ms from a 55 MB Node, ~9 ms from a 240 MB one),
// and this one stays small: plain JS, no app imports. It relays each run's output, messages and
// exit to the host, and kills every run it started when the host goes away.
import { fork, spawn } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { execLine, findExecutable, WarmShells } from './warm-shells.js';

// Warm shells need a POSIX sh; CLAWKEEPER_WARM_SHELLS=0 turns them off (every run forked here then).
const pool = process.platform !== 'win32' && process.env.CLAWKEEPER_WARM_SHELLS !== '0' ? new WarmShells() : null;
pool?.refill();

/** @typedef {import('node:child_process').ChildProcess} ChildProcess */
/** @type {Map<number, { child: ChildProcess, group: boolean, cgroupProcs?: string }>} */
const runs = new Map();

// After a run's own process exits, how long its pipes may stay open (held by a process it left
// behind) before they are closed and the exit is reported (PIPE_GRACE_MS in launcher.ts).
const PIPE_GRACE_MS = 1000;

/**
 * @typedef {{ op: 'fork' | 'spawn', file: string, args: string[], cwd: string, env:
 * NodeJS.ProcessEnv, cgroupProcs?: string }} StartRequest
 */

/**
 * Moves a process into the run's cgroup (a refusal only means the host walks the tree instead).
 * @param {string | undefined} procs @param {number | undefined} pid
 */
function enterCgroup(procs, pid) {
  if (!procs || pid === undefined) return;
  try {
    writeFileSync(procs, String(pid));
  } catch {
    // not allowed: the host follows the run by its process tree
  }
}

/** @param {unknown} m */
function toHost(m) {
  if (process.connected && process.send) process.send(m);
}

/** @param {number} id @param {StartRequest} req */
function start(id, req) {
  /** @type {ChildProcess | null} */
  let child = warm(req);
  try {
    if (!child && req.op === 'fork') {
      // Own process group (detached): a Ctrl-C in the host's terminal must not reach a run.
      child = fork(req.file, req.args, {
        cwd: req.cwd, env: req.env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'], serialization: 'json', execArgv: [],
        detached: true,
      });
      // Node boots for tens of milliseconds before the skill's code can start anything.
      enterCgroup(req.cgroupProcs, child.pid);
    } else if (!child) {
      // A shell moves itself into the cgroup, then execs the command in place: nothing escapes.
      const file = req.cgroupProcs ? findExecutable(req.file, req.cwd, req.env) : null;
      const argv = file && req.cgroupProcs ? {
        f: '/bin/sh', a: ['-c', 'echo $$ > "$0" 2>/dev/null; exec "$@"', req.cgroupProcs, file, ...req.args],
      } : { f: req.file, a: req.args };
      child = spawn(argv.f, argv.a, { cwd: req.cwd, env: req.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    }
  } catch (err) {
    toHost({ t: 'error', id, message: /** @type {Error} */ (err).message, pid: null });
    toHost({ t: 'exit', id, code: null, signal: null, failed: true });
    return;
  }
  watchRun(id, req, child);
}

/** Relays one run's output, messages and exit to the host. @param {number} id @param {StartRequest} req @param {ChildProcess} child */
function watchRun(id, req, child) {
  // A warm shell has a process group of its own; only command runs are killed as a group, as before.
  runs.set(id, { child, group: req.op === 'spawn', cgroupProcs: req.cgroupProcs });
  toHost({ t: 'spawned', id, pid: child.pid ?? null });
  child.stdout?.on('data', (/** @type {Buffer} */ c) => toHost({ t: 'out', id, s: 1, d: c.toString('base64') }));
  child.stderr?.on('data', (/** @type {Buffer} */ c) => toHost({ t: 'out', id, s: 2, d: c.toString('base64') }));
  child.on('message', (m) => toHost({ t: 'msg', id, m }));
  child.on('error', (err) => toHost({ t: 'error', id, message: err.message, pid: child.pid ?? null }));
  // Every byte is relayed before the exit, unless a process the run left behind holds the pipes:
  // then they are closed after PIPE_GRACE_MS and the exit reported (the host stops that process).
  const c = child;
  c.once('exit', (code, signal) => {
    let sent = false;
    const report = () => {
      if (sent) return;
      sent = true;
      runs.delete(id);
      toHost({ t: 'exit', id, code, signal });
    };
    const grace = setTimeout(() => {
      c.stdout?.destroy();
      c.stderr?.destroy();
      report();
    }, PIPE_GRACE_MS);
    c.once('close', () => {
      clearTimeout(grace);
      report();
    });
  });
}

/**
 * The run in a warm shell, if one is idle and the run would start there exactly as it would
 * directly (its program and folder exist; otherwise a direct start reports the error as before).
 * @param {StartRequest} req
 */
function warm(req) {
  if (!pool) return null;
  try {
    if (!statSync(req.cwd).isDirectory()) return null;
  } catch {
    return null;
  }
  const file = req.op === 'fork' ? process.execPath : findExecutable(req.file, req.cwd, req.env);
  if (!file) return null;
  const args = req.op === 'fork' ? [req.file, ...req.args] : req.args;
  const sh = pool.take();
  if (!sh) return null;
  sh.stdin?.end(execLine({ file, args, cwd: req.cwd, env: req.env, ipc: req.op === 'fork', cgroupProcs: req.cgroupProcs }));
  return sh;
}

/** @param {number} id @param {NodeJS.Signals} signal */
function kill(id, signal) {
  const r = runs.get(id);
  if (!r) return;
  if (r.group && r.child.pid) {
    try {
      process.kill(-r.child.pid, signal);
      return;
    } catch {
      // the group is gone already; fall back to the child itself
    }
  }
  r.child.kill(signal);
}

process.on('message', (/** @type {any} */ m) => {
  if (m?.t === 'start') start(m.id, m.req);
  else if (m?.t === 'kill') kill(m.id, m.signal);
  else if (m?.t === 'reserve' && typeof m.n === 'number') pool?.reserve(m.n);
  else if (m?.t === 'send') {
    const r = runs.get(m.id);
    if (r?.child.connected) r.child.send(m.m);
  }
});

// The host is gone: nobody would record these runs (the next host records them interrupted).
// Stop them rather than leave them unsupervised: SIGTERM (a JS run aborts its signal), SIGKILL 1 s later.
// A Ctrl-C in the host's terminal reaches this process too (same foreground group): the host
// decides when runs stop and stops this launcher itself, so SIGINT is ignored here.
process.on('SIGINT', () => undefined);

process.on('disconnect', () => {
  pool?.stop();
  for (const id of runs.keys()) kill(id, 'SIGTERM');
  setTimeout(() => {
    for (const [id, r] of runs) {
      kill(id, 'SIGKILL');
      // Everything the run started, whatever session it moved to (Linux cgroup v2; see run-cgroup.ts).
      if (r.cgroupProcs) {
        try {
          writeFileSync(r.cgroupProcs.replace(/cgroup\.procs$/, 'cgroup.kill'), '1');
        } catch {
          // no cgroup.kill (an older kernel): the next host clears the cgroup
        }
      }
    }
    process.exit(0);
  }, 1000).unref();
});
toHost({ t: 'ready' });
