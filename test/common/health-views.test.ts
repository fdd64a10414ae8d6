import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import {
  LAYER_NAMES, LAYER_TITLES, MODE_EXIT_CODES, MODE_WORDS, PUBLIC_STATUS, withLiveness, type DependencyHealth,
  type LayerStatus, type SkillState,
} from '../../main/common/health.js';
import type { Snapshot } from '../../main/common/layer-protocol.ts';
import { terminalLine } from '../../main/cli/format.ts';
import { renderStatusText } from '../../main/cli/status-view.ts';
import { composeHealth } from '../../main/core/health/health-composer.ts';
import { publicHealth } from '../../main/core/layers/gateway/gateway-app.ts';
import { healthEvents } from '../../main/core/alerts/health-events.ts';
import { trayMenu, trayView } from '../../main/electron/tray-model.ts';
import { effectiveState } from '../../renderer/view-model.js';
import { dependency, skill, snapshot } from '../electron/fixtures.ts';
import { ROOT } from '../helpers/home.ts';

/** A small deterministic PRNG (mulberry32): the same combinations on every run, many of them. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STATUSES: LayerStatus[] = ['ok', 'failed', 'restarting'];
const SKILL_STATES: SkillState[] = ['ok', 'ok', 'pending', 'late', 'failing', 'paused', 'deferred', 'tripped', 'invalid', 'disabled'];

function generated(i: number): Snapshot {
  const r = rng(i + 1);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const now = Date.parse('2026-03-01T12:00:00.000Z');
  const at = new Date(now - 60_000).toISOString();
  const layer = (status: LayerStatus) => ({ status, since: at, reason: status === 'ok' ? '' : 'killed by SIGKILL' });
  const dependencies: Record<string, DependencyHealth> = {};
  const depNames = ['network', 'ollama', 'nas'].filter(() => r() < 0.5);
  for (const d of depNames) dependencies[d] = dependency(r() < 0.4 ? 'down' : 'ok', ['poster']);
  const skills = Array.from({ length: 1 + Math.floor(r() * 5) }, (_, k) => {
    const state = pick(SKILL_STATES);
    const down = Object.entries(dependencies).filter(([, d]) => d.status === 'down').map(([n]) => n);
    return skill(`skill-${k}`, {
      state, reason: state, ...(state === 'deferred' ? { deferred: down.length ? down : ['network'] } : {}),
      ...(state === 'tripped' ? { breaker: { state: 'open', until: '2026-03-01T14:05:00.000Z', failures: 5 } } : {}),
    });
  });
  const alive = r() > 0.15;
  const report = composeHealth({
    now,
    host: { alive, pid: 42, startedAt: at, lastAlive: alive ? new Date(now).toISOString() : at },
    layers: { session: layer(pick(STATUSES)), gateway: layer(pick(STATUSES)) },
    dependencies,
    skills,
  });
  const base = snapshot();
  return { ...base, ...report, host: { ...report.host, layerPids: base.host.layerPids } };
}

describe('one truth about health, in every view', () => {
  it('CLI text, status --json, /health, the dashboard view model, the tray and the notifier agree on 400 generated combinations of layer, dependency and skill states', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 400; i++) {
      const snap = generated(i);
      const { mode, scenario } = snap;
      seen.add(`${mode}/${scenario?.id ?? 'none'}`);
      const why = `combination ${i}: ${JSON.stringify({
        layers: snap.layers, deps: snap.dependencies, skills: snap.skills.map((s) => s.state),
      })}`;

      // One failing skill is never `down`; down means the runtime is not ok.
      assert.equal(mode === 'down', snap.layers.runtime.status !== 'ok', why);

      // As the terminal gets it, without color (every CLI line passes terminalLine).
      const text = renderStatusText(snap).map((l) => terminalLine(l, false)).join('\n');
      assert.ok(
        text.startsWith(`● ${mode.toUpperCase()} — ${scenario ? `${scenario.title}: ${scenario.message}` : MODE_WORDS[mode]}\n`),
        why,
      );
      for (const n of LAYER_NAMES) assert.match(text, new RegExp(`^${n}\\s+${snap.layers[n].status}\\s`, 'm'), why);

      const json = JSON.parse(JSON.stringify(snap)) as Snapshot;
      assert.equal(json.mode, mode, why);
      assert.deepEqual(json.scenario, scenario, why);
      assert.equal(MODE_EXIT_CODES[json.mode], { operational: 0, degraded: 1, down: 2 }[mode]);

      const pub = publicHealth(snap);
      assert.equal(pub.status, PUBLIC_STATUS[mode], why);
      assert.equal(pub.scenario, scenario?.id ?? null, why);
      for (const n of LAYER_NAMES) assert.equal(pub.layers[n], snap.layers[n].status, why);

      const dash = effectiveState(snap, { gateway: true, session: true }, 0, Date.parse(snap.generatedAt)) as Snapshot;
      assert.equal(dash.mode, mode, why);
      assert.deepEqual(dash.scenario, scenario, why);

      const tray = trayView(snap);
      assert.equal(tray.icon, mode, why);
      if (scenario) assert.ok(tray.tooltip.includes(scenario.title), why);
      const menu = trayMenu(snap, { loginItem: 'disabled' });
      assert.equal(menu[0]!.label, scenario ? `${scenario.title}: ${scenario.message}` : MODE_WORDS[mode], why);
      for (const n of LAYER_NAMES) assert.ok(menu.some((m) => m.label?.endsWith(`${LAYER_TITLES[n]}: ${snap.layers[n].status}`)), why);

      // Notifications and alert channels: the one alert stream (core/alerts/health-events.ts).
      const told = healthEvents(snapshot(), snap);
      for (const n of LAYER_NAMES) {
        assert.equal(
          told.some((x) => x.title === `${LAYER_TITLES[n]} is down`), snap.layers[n].status === 'failed',
          `${why}: alert for ${n}`,
        );
      }

      // The same value 6 s later with no refresh (a frozen host): every view says the runtime is
      // not responding, and /health and the dashboard agree on it.
      const later = Date.parse(snap.generatedAt) + 6000;
      const stale = withLiveness(snap, later);
      assert.equal(stale.mode, 'down', why);
      assert.match(stale.layers.runtime.reason, snap.layers.runtime.status === 'ok' ? /not responding/ : /./, why);
      assert.equal(publicHealth(stale).status, 'down', why);
      assert.equal((effectiveState(snap, { gateway: true, session: true }, 0, later) as Snapshot).mode, 'down', why);
      assert.equal(trayView(stale).icon, 'down', why);
    }
    // The generator reaches every mode and most scenarios.
    for (const expected of [
      'operational/none', 'down/runtime-down', 'degraded/network-partition', 'degraded/process-restart',
      'degraded/gateway-session-down', 'degraded/websocket-disconnect', 'degraded/gateway-down',
      'degraded/skills-not-ok',
    ]) {
      assert.ok(seen.has(expected), `generated ${expected} (saw ${[...seen].join(', ')})`);
    }
  });

  it('one failing skill among three healthy ones is degraded, named in the banner, with the runtime ok', () => {
    const snap = snapshot({}, [skill('backup', { state: 'failing', reason: 'last run failure' }), skill('a'), skill('b'), skill('c')]);
    assert.equal(snap.mode, 'degraded');
    assert.equal(snap.layers.runtime.status, 'ok');
    assert.equal(snap.scenario?.title, '1 skill failing: backup');
  });

  it('layer titles, mode words and colors are defined only in main/common/health.js', () => {
    const words = [
      ...Object.values(LAYER_TITLES), MODE_WORDS.degraded, MODE_WORDS.down, 'Network partition', 'WebSocket disconnect',
      'Process restart',
    ];
    const colorMap = /\{\s*(?:ok|operational)\s*:\s*['"](?:green|✔)['"]/;
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const f of readdirSync(dir)) {
        const p = join(dir, f);
        if (statSync(p).isDirectory()) {
          if (f !== 'generated' && f !== 'node_modules') walk(p);
          continue;
        }
        if (!/\.(ts|js|cts|mjs|html)$/.test(f) || p.endsWith(join('common', 'health.js'))) continue;
        // Comments may name things; code may not define them.
        const code = readFileSync(p, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
        for (const w of words) if (code.includes(`'${w}`) || code.includes(`"${w}`) || code.includes(`\`${w}`)) offenders.push(
          `${relative(ROOT, p)}: "${w}"`,
        );
        if (colorMap.test(code)) offenders.push(`${relative(ROOT, p)}: a color map`);
      }
    };
    for (const d of ['main', 'renderer']) walk(join(ROOT, d));
    assert.deepEqual(offenders, [], 'use the names exported by main/common/health.js');
  });
});
