import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { HOST_STALE_MS, LAYER_NAMES, type DependencyHealth, type LayerHealth, type LayerName } from '../../common/health.js';
import type { HealthReport } from '../../common/layer-protocol.ts';
import { readBreakers } from '../runs/breaker.ts';
import { isDependencyTransition } from '../dependencies/monitor.ts';
import { dependencyNeeds } from '../dependencies/needed-by.ts';
import { composeHealth, skillView } from './health-composer.ts';
import { tokenHistory } from '../models/usage-view.ts';
import { readHostState, type HostState } from '../home/host-state.ts';
import { readJsonl } from '../home/jsonl.ts';
import { Ledger } from '../runs/ledger.ts';
import type { Logger } from '../home/logger.ts';
import type { HomePaths } from '../home/paths.ts';
import { validateSkills } from '../skills/skill-validation.ts';
import { readPauses } from '../skills/paused.ts';
import { checkStorage } from './storage-health.ts';

export interface LayerTransition {
  layer: LayerName;
  status: LayerHealth['status'];
  at: string;
  reason: string;
  /** When the layer went down: why, without the restart plan `reason` adds (`; restart in …`). */
  cause?: string;
  /** When the layer went down: how long until the supervisor starts it again (0: at once). */
  restartInMs?: number;
}

export function isLayerTransition(v: unknown): v is LayerTransition {
  const e = v as LayerTransition;
  return typeof e === 'object' && e !== null && LAYER_NAMES.includes(e.layer) && typeof e.status === 'string' && typeof e.at === 'string';
}

/** `clawkeeper status`: the health report, from the files alone. */
export type StatusReport = HealthReport;

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Host alive: its state file was refreshed within HOST_STALE_MS and its process exists. */
export function readHostLiveness(paths: HomePaths, now: number, freshMs = HOST_STALE_MS): {
  alive: boolean; state: HostState | null; reason?: string;
} {
  const state = readHostState(paths.hostState);
  if (!state) return { alive: false, state: null };
  const age = now - Date.parse(state.last_alive);
  if (!processExists(state.pid)) return {
    alive: false, state, reason: `the host (pid ${state.pid}) is not running; last alive ${state.last_alive}`,
  };
  if (!(age < freshMs)) return {
    alive: false, state,
    reason: `the host (pid ${state.pid}) is not responding (no update for ${Math.round(age / 1000)} s)`,
  };
  return { alive: true, state };
}

export function latestLayerStates(paths: HomePaths, logger: Logger): Partial<Record<LayerName, LayerTransition>> {
  const out: Partial<Record<LayerName, LayerTransition>> = {};
  const file = join(paths.health, 'layers.jsonl');
  for (const t of readJsonl(file, logger, isLayerTransition)) out[t.layer] = t;
  return out;
}

/**
 * Dependencies as the files tell them: the last transition of each dependency an enabled skill
 * needs (health/dependencies.jsonl). With no host running nothing probes, so the reason says
 * when that was known.
 */
export function latestDependencyStates(
  paths: HomePaths, logger: Logger, neededBy: Map<string, string[]>, alive: boolean,
): Record<string, DependencyHealth> {
  const last = new Map(readJsonl(join(paths.health, 'dependencies.jsonl'), logger, isDependencyTransition).map((t) => [t.dependency, t]));
  const out: Record<string, DependencyHealth> = {};
  for (const [name, skills] of neededBy) {
    const t = last.get(name);
    out[name] = t
      ? {
        status: t.status, since: t.at,
        reason: alive ? t.reason : `${t.reason} (as last probed; no host is probing now)`,
        latencyMs: t.latency_ms ?? null, neededBy: skills,
      }
      : {
        status: 'unknown', since: '', reason: alive ? 'not probed yet' : 'not probed yet (no host is probing now)',
        latencyMs: null, neededBy: skills,
      };
  }
  return out;
}

export function buildStatusReport(
  paths: HomePaths, bundledDir: string | null, logger: Logger, now = Date.now(), env: NodeJS.ProcessEnv = process.env,
): StatusReport {
  const { alive, state, reason } = readHostLiveness(paths, now);
  const ledger = new Ledger(paths.runs, logger);
  ledger.load();
  const paused = readPauses(paths);
  const breakers = readBreakers(paths.breakers, logger);
  const { skills } = validateSkills(paths, bundledDir, env);
  const dependencies = latestDependencyStates(paths, logger, dependencyNeeds(skills, paths.config), alive);
  const views = skills.map((s) => {
    const b = s.manifest && s.manifest.breaker !== false ? (breakers.get(s.name) ?? {
      state: 'closed' as const, failures: 0, until: null,
    }) : null;
    const deferredOn = s.manifest ? s.manifest.needs.filter((n) => dependencies[n]?.status === 'down') : [];
    const m = s.manifest;
    const tokens = m && (m.model || m.budget) ? tokenHistory(paths, m, now) : null;
    return skillView(
      s, ledger, now,
      {
        paused: paused.has(s.name), pauseNote: paused.get(s.name)?.note ?? null, hostAlive: alive, deferredOn,
        breaker: b ? { state: b.state, until: b.until, failures: b.failures } : null, tokens,
      },
      undefined, null,
    );
  });
  const latest = latestLayerStates(paths, logger);
  const at = new Date(now).toISOString();
  // Files alone cannot tell a layer's state while no host answers: unknown, never failed.
  const layer = (name: 'session' | 'gateway'): LayerHealth => {
    if (!alive) return {
      status: 'unknown', since: state?.last_alive ?? at,
      reason: 'no host answers, so nobody knows (the host supervises this layer)',
    };
    const t = latest[name];
    return t ? { status: t.status, since: t.at, reason: t.reason } : {
      status: 'unknown', since: state?.started_at ?? at, reason: 'no health record yet',
    };
  };
  // Checked here from the file system itself, so a full disk is named even while the host cannot write its state.
  const storage = checkStorage(paths.runs, paths.logs, now);
  // A host whose process exists but whose state file is stale, on a disk that cannot be written:
  // the disk is what stops it, not a dead host.
  const diskStuck = !alive && state !== null && storage.status === 'runs-failing' && processExists(state.pid);
  return composeHealth({
    now,
    host: {
      alive, pid: state?.pid ?? null, startedAt: state?.started_at ?? null, lastAlive: state?.last_alive ?? null,
      ...(reason ? {
        notAliveReason: diskStuck
          ? `${storage.reason} (the host, pid ${state.pid}, cannot record that it is alive and did not answer on host.sock)`
          : reason,
      } : {}),
    },
    layers: { session: layer('session'), gateway: layer('gateway') },
    dependencies,
    skills: views,
    storage,
  });
}

/** The article's check, part 2: status files modified in the last `minutes`. */
export function freshStatusFiles(statusDir: string, now: number, minutes = 60): string[] {
  let names: string[] = [];
  try {
    names = readdirSync(statusDir).filter((f) => f.endsWith('.txt'));
  } catch {
    return [];
  }
  return names.filter((f) => {
    try {
      return now - statSync(join(statusDir, f)).mtimeMs < minutes * 60_000;
    } catch {
      return false;
    }
  });
}
