// Dependencies of skills: config.json `dependencies`, the built-in `network`, and the model
// servers skills name (`model:<name>`). Read without conf: the host reads it once at start and
// on reload, and a broken entry is a problem of that entry, never of the host.
import { readFileSync } from 'node:fs';
import { readModelsFile } from '../models/config.ts';
import type { HomePaths } from '../home/paths.ts';

export interface DependencySpec {
  name: string;
  /** Probe targets: http(s)://… (any answer below 500 is up) or tcp://host:port (a connect is up). Up when any answers. */
  targets: string[];
  everySeconds: number;
  timeoutMs: number;
  /** A configuration problem: the dependency is down with this reason, never probed. */
  problem?: string;
}

/**
 * The internet, by default: well-known HTTPS endpoints run by different companies, so one
 * provider's outage is not a partition. `dependencies.network.probe` or CLAWKEEPER_NETWORK_PROBE
 * replaces them.
 */
export const DEFAULT_NETWORK_TARGETS = [
  'https://www.google.com/generate_204', 'https://one.one.one.one/', 'https://www.apple.com/library/test/success.html',
];

export const DEPENDENCY_DEFAULTS = { everySeconds: 15, timeoutMs: 3000 } as const;
const NAME = /^[a-z0-9][a-z0-9:._-]{0,99}$/;

/** Checks one probe target; returns a sentence saying what is wrong, or null. */
export function checkTarget(t: string): string | null {
  let u: URL;
  try {
    u = new URL(t);
  } catch {
    return `"${t}" is not a URL: use http(s)://host/path or tcp://host:port`;
  }
  if (u.protocol === 'tcp:') {
    if (!u.hostname || !u.port) return `"${t}" needs a host and a port, as tcp://host:port`;
    return null;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return `"${t}": the probe must be http://, https:// or tcp://`;
  if (u.username || u.password) return `"${t}": no credentials in a probe URL`;
  return null;
}

function num(v: unknown, fallback: number, min: number, max: number): number {
  return typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max ? v : fallback;
}

/** Every dependency the configuration defines, plus `network`, as specs; never throws. */
export function readDependencySpecs(
  paths: HomePaths, env: NodeJS.ProcessEnv, warn: (m: string) => void = () => undefined,
): Map<string, DependencySpec> {
  let raw: Record<string, unknown> = {};
  try {
    const cfg = JSON.parse(readFileSync(paths.config, 'utf8')) as { dependencies?: unknown };
    const deps = cfg?.dependencies;
    if (cfg && typeof deps === 'object' && deps !== null && !Array.isArray(deps)) raw = deps as Record<string, unknown>;
    else if (cfg && cfg.dependencies !== undefined) warn(
      `${paths.config}: dependencies must be an object of { "<name>": { "probe": ... } }; ignored`,
    );
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') warn(
      `${paths.config}: ${(err as Error).message}; dependencies other than network are not known until it is fixed`,
    );
  }
  const specs = new Map<string, DependencySpec>();
  for (const [name, v] of Object.entries(raw)) {
    const d = (typeof v === 'object' && v !== null ? v : {}) as { probe?: unknown; everySeconds?: unknown; timeoutMs?: unknown };
    const spec: DependencySpec = {
      name,
      targets: (Array.isArray(d.probe) ? d.probe : typeof d.probe === 'string' ? [d.probe] : []).filter(
        (x): x is string => typeof x === 'string',
      ),
      everySeconds: num(d.everySeconds, DEPENDENCY_DEFAULTS.everySeconds, 1, 3600),
      timeoutMs: num(d.timeoutMs, DEPENDENCY_DEFAULTS.timeoutMs, 50, 60_000),
    };
    const problems: string[] = [];
    if (!NAME.test(name)) problems.push('the name must be lower-case letters, digits and - . _ :');
    if (name !== 'network' && spec.targets.length === 0) problems.push('"probe" is required: an http(s):// URL or tcp://host:port');
    for (const t of spec.targets) {
      const p = checkTarget(t);
      if (p) problems.push(p);
    }
    if (problems.length) {
      spec.problem = `${paths.config}: dependencies.${name}: ${problems.join('; ')}`;
      warn(spec.problem);
    }
    specs.set(name, spec);
  }
  // Every configured model server is a dependency `model:<name>`, probed at GET {baseURL}/models
  // (any answer below 500, a 401 without a key included, means the server is there).
  for (const [name, m] of Object.entries(readModelsFile(paths.home, env).models)) {
    const dep = `model:${name}`;
    if (specs.has(dep)) continue;
    const target = `${m.baseURL.replace(/\/+$/, '')}/models`;
    const problem = checkTarget(target);
    specs.set(dep, {
      name: dep, targets: [target], ...DEPENDENCY_DEFAULTS,
      ...(problem ? { problem: `${paths.config}: models.${name}.baseURL: ${problem}` } : {}),
    });
  }
  const net = specs.get('network') ?? { name: 'network', targets: [], ...DEPENDENCY_DEFAULTS };
  const fromEnv = (env.CLAWKEEPER_NETWORK_PROBE ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (fromEnv.length) {
    net.targets = fromEnv;
    const bad = fromEnv.map(checkTarget).filter((p): p is string => p !== null);
    net.problem = bad.length ? `CLAWKEEPER_NETWORK_PROBE: ${bad.join('; ')}` : undefined;
    if (!net.problem) delete net.problem;
  }
  if (net.targets.length === 0) net.targets = [...DEFAULT_NETWORK_TARGETS];
  specs.set('network', net);
  return specs;
}
