// `clawkeeper run-once`: one run of one skill for one slot, without scheduler or layers, for an
// external scheduler (a Kubernetes CronJob, a systemd timer, launchd). The same runner, ledger
// entries, status file and logs as inside the host; retries happen here, within this process.
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { LedgerEnd, RunOutcome, RunTrigger, SkillManifest } from '../../common/types.ts';
import { OwedRetries } from './owed-retries.ts';
import { retryDecision, startPlannedRun, type RunSite } from './run-lifecycle.ts';
import { systemClock, type Clock } from '../scheduling/clock.ts';
import { checkSlot, scheduleLabel, slotAtOrBeforeOf, slotSpecOf } from '../scheduling/slots.ts';
import { nodeLauncher, type ProcessLauncher } from './launcher.ts';
import { Ledger } from './ledger.ts';
import type { Logger } from '../home/logger.ts';
import { ensureHome, homePaths, type HomePaths } from '../home/paths.ts';
import { sharedFolderProblem } from '../home/no-follow.ts';
import { readPaused } from '../skills/paused.ts';
import { claimSlot, pruneClaims, releaseClaim } from './slot-claim.ts';
import { formatProblems } from '../skills/skill-loader.ts';
import { validateSkills } from '../skills/skill-validation.ts';

/** Exit codes of run-once: what an external scheduler sees. 0 whenever the slot needs nothing more. */
export const RUN_ONCE_EXIT = {
  success: 0,
  /** The slot is already in the ledger or claimed by another run-once: done, not a failure. */
  refused: 0,
  /** The skill is paused (a `paused` skip entry is written) or disabled. */
  notRun: 0,
  failure: 1,
  timeout: 3,
  crashed: 4,
  interrupted: 5,
  'upstream-failure': 6,
  'budget-exceeded': 7,
  usage: 64,
  unknownSkill: 66,
  /** A live host holds the home folder and could not take the slot: try again later. */
  hostBusy: 75,
  invalidSkill: 78,
  /** The home folder belongs to another user: its skills are not ours to run. */
  notOwned: 77,
} as const;

export function exitCodeFor(outcome: RunOutcome): number {
  return RUN_ONCE_EXIT[outcome];
}

export interface RunOnceOptions {
  home: string;
  bundledSkillsDir: string | null;
  skill: string;
  /** An ISO time that is one of the skill's slots; absent: the newest slot at or before now. */
  slot?: string;
  trigger: Extract<RunTrigger, 'schedule' | 'manual'>;
  logger: Logger;
  out: (line: string) => void;
  launcher?: ProcessLauncher;
  clock?: Clock;
  hostname?: string;
  killGraceMs?: number;
  /** Aborting stops the run in flight (recorded `interrupted`) and any retry still waiting. */
  signal?: AbortSignal;
  /**
   * Hands the slot to a live host on this machine (over host.sock) and waits for its outcome;
   * null when no host holds the home folder, and run-once runs it itself.
   */
  handOff?: (
    skill: SkillManifest, slot: string | null, trigger: Extract<RunTrigger, 'schedule' | 'manual'>,
  ) => Promise<RunOnceResult | null>;
}

export interface RunOnceResult {
  exitCode: number;
  kind: 'ran' | 'refused' | 'not-run' | 'handed-off' | 'error';
  message: string;
  ends: LedgerEnd[];
}

/** The newest slot at or before `at`, or null when the schedule never fired before it. */
export function slotAtOrBefore(expr: string, timezone: string | undefined, at: number): number | null {
  return slotAtOrBeforeOf({ kind: 'cron', expr, timezone }, at);
}

/** A host whose heartbeat file is fresh holds this home folder (same rule as `clawkeeper status`). */
export function liveHost(paths: HomePaths, now: number): boolean {
  try {
    readFileSync(paths.lock, 'utf8');
    const s = JSON.parse(readFileSync(paths.hostState, 'utf8')) as { last_alive?: string };
    return typeof s.last_alive === 'string' && now - Date.parse(s.last_alive) < 15_000;
  } catch {
    return false;
  }
}

/**
 * ensureHome, except that a home we cannot chmod is used as it is: the root of a mounted volume
 * (a Kubernetes PVC with fsGroup) belongs to root, and a pod running as uid 1000 gets EPERM there.
 */
function ensureRunHome(paths: HomePaths, logger: Logger): void {
  try {
    ensureHome(paths);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
    logger.warn(`cannot make ${paths.home} private (0700): ${(err as Error).message}; using it as it is (a mounted volume's root?)`);
    for (const dir of [paths.skills, paths.status, paths.runs, paths.logs]) mkdirSync(dir, { recursive: true, mode: 0o700 });
  }
}

/**
 * A home (or its skills folder) owned by another user is refused: its skills are that user's code,
 * and running them as us would hand them our rights. Root's ownership is accepted for a non-root
 * caller (a mounted volume's root, ensureRunHome); root itself only runs a home root owns.
 */
export function foreignHome(paths: HomePaths, uid: number | undefined = process.getuid?.()): string | null {
  if (uid === undefined) return null;
  for (const dir of [paths.home, paths.skills]) {
    let owner: number;
    try {
      owner = statSync(dir).uid;
    } catch {
      continue;
    }
    if (owner === uid || (owner === 0 && uid !== 0)) continue;
    return `${dir} belongs to another user (uid ${owner}, you are uid ${uid}); run-once runs only skills of a home you own: run it as that user, or give CLAWKEEPER_HOME a home of your own`;
  }
  // A skills folder others can write is as good as theirs: anyone could plant a skill there.
  let shared: string | null = null;
  try {
    shared = sharedFolderProblem(paths.skills);
  } catch {
    // no skills folder yet: ensureRunHome makes a private one
  }
  if (shared) return `${shared.replace(
    /: another user could plant .*$/, '',
  )}: another user could plant a skill there; run-once refuses it: chmod go-w ${paths.skills}`;
  return null;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

export async function runOnce(o: RunOnceOptions): Promise<RunOnceResult> {
  const clock = o.clock ?? systemClock;
  const paths = homePaths(o.home);
  const fail = (exitCode: number, message: string): RunOnceResult => ({ exitCode, kind: 'error', message, ends: [] });
  // Before anything is created or changed there: another user's home is theirs.
  const foreign = foreignHome(paths);
  if (foreign) return fail(RUN_ONCE_EXIT.notOwned, foreign);
  ensureRunHome(paths, o.logger);
  // The one validation (skills, status, run and the host agree): an unknown need is invalid here too.
  const skill = validateSkills(paths, o.bundledSkillsDir, process.env).skills.find((s) => s.name === o.skill);
  if (!skill) return fail(
    RUN_ONCE_EXIT.unknownSkill,
    `no skill named "${o.skill}" in ${paths.skills}${o.bundledSkillsDir ? ` or ${o.bundledSkillsDir}` : ''}; \`clawkeeper skills\` lists them`,
  );
  const m = skill.manifest;
  if (!m) return fail(RUN_ONCE_EXIT.invalidSkill, `skill "${o.skill}" is invalid and will not run:\n${formatProblems(skill, '  ')}`);
  if (!m.enabled) return {
    exitCode: RUN_ONCE_EXIT.notRun, kind: 'not-run',
    message: `${m.name} is disabled (enabled: false in ${skill.file}): nothing run`, ends: [],
  };

  const chosen = slotToRun(o, m, clock.now());
  if (typeof chosen === 'object' && chosen !== null) return fail(RUN_ONCE_EXIT.usage, chosen.error);
  const slot = chosen;

  const handed = o.handOff ? await o.handOff(m, slot, o.trigger) : null;
  if (handed) return handed;
  // No host answered here, yet one keeps the heartbeat fresh (on another machine sharing the
  // volume, say): its in-memory ledger would not see our entries, so a slot could run twice.
  if (liveHost(paths, clock.now())) {
    return fail(
      RUN_ONCE_EXIT.hostBusy,
      `a ClawKeeper host is running with ${paths.home} (host.lock, runs/_host.json fresh) and did not take the run; running beside it could run a slot twice: stop it, or use \`clawkeeper run ${m.name}\``,
    );
  }

  pruneClaims(paths.runs, clock.now());
  const claimed = slot ? claimSlot(paths.runs, m.name, slot, clock.now(), o.hostname) : null;
  if (claimed && !claimed.ok) {
    return {
      exitCode: RUN_ONCE_EXIT.refused, kind: 'refused',
      message: `${m.name}: slot ${slot} is being run by ${claimed.holder.host} (claimed ${claimed.holder.at}, ${claimed.holder.file}): not run again`,
      ends: [],
    };
  }
  const claim = claimed?.ok ? claimed.claim : null;
  try {
    // Read after the claim: whoever held it before has written its start entry by then.
    const ledger = new Ledger(paths.runs, o.logger);
    ledger.load();
    if (slot && ledger.hasSlot(m.name, slot)) {
      const s = ledger.slot(m.name, slot);
      const what = s?.lastOutcome ? (s.lastOutcome === 'running' ? 'started (no end yet)' : s.lastOutcome) : 'skipped';
      return {
        exitCode: RUN_ONCE_EXIT.refused, kind: 'refused',
        message: `${m.name}: slot ${slot} is already in the ledger (${what}): exactly once per slot, not run again`,
        ends: [],
      };
    }
    if (slot && o.trigger === 'schedule' && readPaused(paths).has(m.name)) {
      ledger.recordSkip({
        type: 'skip', skill: m.name, slot, reason: 'paused', at: new Date(clock.now()).toISOString(),
        detail: 'the skill is paused (run-once)',
      });
      return {
        exitCode: RUN_ONCE_EXIT.notRun, kind: 'not-run',
        message: `${m.name} is paused: slot ${slot} recorded as skipped (paused)`, ends: [],
      };
    }
    return await attempts(o, paths, ledger, skill.dir, m, slot, clock);
  } finally {
    if (claim) releaseClaim(claim);
  }
}

/** The slot asked for (--slot, checked against the schedule), the newest one due, or null for a manual run. */
function slotToRun(o: RunOnceOptions, m: SkillManifest, now: number): string | null | { error: string } {
  if (o.slot !== undefined) {
    const p = checkSlot(m, o.slot);
    return 'error' in p ? p : p.iso;
  }
  if (o.trigger !== 'schedule') return null;
  const t = slotAtOrBeforeOf(slotSpecOf(m), now);
  return t === null ? { error: `"${scheduleLabel(m)}" has no slot at or before now; give one with --slot` } : new Date(t).toISOString();
}

async function attempts(
  o: RunOnceOptions, paths: HomePaths, ledger: Ledger, dir: string, m: SkillManifest, slot: string | null, clock: Clock,
): Promise<RunOnceResult> {
  const ends: LedgerEnd[] = [];
  // The host's lifecycle (runs/run-lifecycle.ts): the same entries, usage, status line and retry rule.
  const site: RunSite = {
    paths, ledger, clock, startedBy: 'run-once',
    runner: { launcher: o.launcher ?? nodeLauncher, killGraceMs: o.killGraceMs },
  };
  const owed = new OwedRetries(
    join(paths.runs, '_retries.json'),
    (err) => o.logger.warn(`cannot write runs/_retries.json: ${(err as Error).message}`),
  );
  owed.load();
  for (let attempt = 1; ; attempt++) {
    const trigger: RunTrigger = attempt === 1 ? o.trigger : 'retry';
    const started = startPlannedRun(site, { manifest: m, dir, slot, trigger, attempt });
    if (attempt > 1 && slot) owed.settle({ skill: m.name, slot, attempt });
    o.out(
      `${m.name}: ${slot ? `slot ${slot}` : 'manual run'} started as run ${started.runId}${attempt > 1 ? ` (attempt ${attempt})` : ''}`,
    );
    const onAbort = () => started.handle.stop('shutdown');
    o.signal?.addEventListener('abort', onAbort, { once: true });
    const { entry: end, run: r } = await started.ended;
    o.signal?.removeEventListener('abort', onAbort);
    ends.push(end);
    o.out(`${m.name}: ${r.outcome} in ${end.duration_ms} ms (run ${started.runId})${r.error ? `: ${r.error}` : ''}`);
    for (const w of r.warnings) o.out(`  warning: ${w}`);
    const decision = retryDecision(
      { outcome: r.outcome, stopReason: r.stopReason, attempt, slot, stopping: o.signal?.aborted === true }, m.retries,
    );
    if (!decision.retry) return { exitCode: exitCodeFor(r.outcome), kind: 'ran', message: `log: ${r.logFile}`, ends };
    // Owed on disk while we wait: if this process is killed now, the next host runs it.
    owed.add({
      skill: m.name, slot: slot!, attempt: decision.attempt,
      due: new Date(clock.now() + decision.delaySeconds * 1000).toISOString(),
    });
    o.out(`${m.name}: retrying in ${decision.delaySeconds} s (attempt ${decision.attempt} of ${m.retries.max + 1})`);
    await sleep(decision.delaySeconds * 1000, o.signal);
    if (o.signal?.aborted) return {
      exitCode: exitCodeFor(r.outcome), kind: 'ran',
      message: 'stopped before the next attempt (it stays owed in runs/_retries.json: a host started on this home runs it)',
      ends,
    };
  }
}
