// What the menu-bar icon shows, as pure functions of the host's snapshot (tested without Electron).
import { dependencyColor, LAYER_NAMES, LAYER_TITLES, layerColor, MODE_WORDS, runWords, skillBadge, undelivered } from '../common/health.js';
import { formatTime } from '../common/time-words.js';
import type { SkillView, Snapshot } from '../common/layer-protocol.ts';
import type { DesktopMode } from '../core/app/attach.ts';
import type { LoginItemState } from './login-item.ts';

export type TrayIcon = 'operational' | 'degraded' | 'down';

export interface TrayView {
  icon: TrayIcon;
  /** macOS: a template image (adapts to light/dark menu bars) only when all is well. */
  template: boolean;
  /** Text beside the icon in the macOS menu bar: empty when all is well. */
  title: string;
  tooltip: string;
}

export type TrayAction =
  | { type: 'open-dashboard' }
  | { type: 'run'; skill: string }
  | { type: 'pause-all' }
  | { type: 'resume-all' }
  | { type: 'toggle-login-item' }
  | { type: 'start-service' }
  | { type: 'take-over' }
  | { type: 'install-cli' }
  | { type: 'quit' };

export interface TrayItem {
  label?: string;
  type?: 'normal' | 'separator' | 'submenu' | 'checkbox';
  enabled?: boolean;
  checked?: boolean;
  action?: TrayAction;
  submenu?: TrayItem[];
}

const DOT = { green: '🟢', amber: '🟡', red: '🔴', grey: '⚪' } as const;
const OUTCOME = {
  success: '✔', failure: '✖', timeout: '⏱', crashed: '✖', interrupted: '⏸', 'upstream-failure': '☁',
  'budget-exceeded': '$',
} as const;

export function trayView(snap: Snapshot | null, host?: DesktopMode): TrayView {
  if (host?.kind === 'service-gone') return {
    icon: 'down', template: false, title: 'Stopped', tooltip: 'ClawKeeper: the service stopped; skills are not running',
  };
  if (!snap) return { icon: 'degraded', template: false, title: '…', tooltip: 'ClawKeeper: starting' };
  const icon: TrayIcon = snap.mode === 'operational' ? 'operational' : snap.mode === 'degraded' ? 'degraded' : 'down';
  const tooltip =
    snap.mode === 'operational'
      ? `ClawKeeper: ${MODE_WORDS.operational}, ${snap.skills.filter((s) => s.state !== 'invalid').length} skills`
      : `ClawKeeper: ${snap.scenario?.title ?? MODE_WORDS[snap.mode]} — ${snap.scenario?.message ?? ''}`.trim();
  // The menu-bar title: short, in the words every view uses (the scenario is in the tooltip).
  const title = snap.mode === 'operational' ? '' : snap.mode === 'degraded' ? 'Degraded' : MODE_WORDS.down;
  return { icon, template: icon === 'operational', title, tooltip };
}

export function trayMenu(
  snap: Snapshot | null, opts: { loginItem: LoginItemState; host?: DesktopMode; canInstallCli?: boolean },
): TrayItem[] {
  const items: TrayItem[] = [];
  const host = opts.host;
  if (host?.kind === 'attached') items.push({ label: `Attached to the ClawKeeper service (pid ${host.pid})`, enabled: false });
  if (host?.kind === 'service-gone') {
    items.push({ label: `The ClawKeeper service (pid ${host.pid}) stopped: skills are not running`, enabled: false });
    items.push({ label: 'Start the service', action: { type: 'start-service' } });
    items.push({ label: 'Take over (run skills in this app)', action: { type: 'take-over' } });
    items.push({ type: 'separator' });
  } else if (!snap) {
    items.push({ label: 'Starting…', enabled: false });
  } else {
    items.push({ label: snap.scenario ? `${snap.scenario.title}: ${snap.scenario.message}` : MODE_WORDS[snap.mode], enabled: false });
    for (const name of LAYER_NAMES) {
      const l = snap.layers[name];
      items.push({ label: `${DOT[layerColor(l.status)]} ${LAYER_TITLES[name]}: ${l.status}`, enabled: false });
    }
    for (const [name, d] of Object.entries(snap.dependencies ?? {})) {
      items.push({
        label: `${DOT[dependencyColor(d.status)]} ${name}: ${d.status === 'ok' ? 'up' : d.status === 'unknown' ? d.reason : d.neededBy.length ? `down — ${d.neededBy.length} skill(s) waiting` : "down — alerts and pings wait"}`,
        enabled: false,
      });
    }
    items.push({ type: 'separator' });
    const runnable = snap.skills.filter((s) => s.state !== 'invalid');
    items.push({
      label: `Skills (${runnable.length})`,
      type: 'submenu',
      submenu: snap.skills.map((s) => ({
        label: `${lastRunMark(s.lastRun)} ${s.name}${s.state !== 'ok' ? ` (${skillBadge(
          s, (iso) => formatTime(iso, { zone: s.timezone }),
        )})` : ''}`,
        type: 'submenu' as const,
        submenu: [
          {
            label: s.lastRun
              ? `Last run: ${runWords(s.lastRun).slice(0, 100)}${s.lastRun.error ? ` — ${s.lastRun.error.slice(0, 80)}` : ''}`
              : 'Never run',
            enabled: false,
          },
          ...(s.state !== 'ok' && s.reason ? [{ label: s.reason.slice(0, 120), enabled: false }] : []),
          // The note kept with a pause, beside the state here as in every view.
          ...(s.pauseNote ? [{ label: `Paused: ${s.pauseNote.slice(0, 80)}`, enabled: false }] : []),
          { label: 'Run now', enabled: s.state !== 'invalid', action: { type: 'run', skill: s.name } },
        ],
      })),
    });
    const allPaused = runnable.length > 0 && runnable.every((s) => s.paused);
    items.push(
      allPaused ? { label: 'Resume all skills', action: { type: 'resume-all' } } : {
        label: 'Pause all skills', enabled: runnable.length > 0, action: { type: 'pause-all' },
      },
    );
  }
  items.push({ type: 'separator' });
  items.push({ label: 'Open dashboard…', action: { type: 'open-dashboard' } });
  items.push({
    label: opts.loginItem === 'requires-approval' ? 'Start at login (approve in System Settings › Login Items)' : 'Start at login',
    type: 'checkbox',
    checked: opts.loginItem === 'enabled' || opts.loginItem === 'requires-approval',
    enabled: opts.loginItem !== 'unsupported',
    action: { type: 'toggle-login-item' },
  });
  if (opts.canInstallCli) items.push({ label: "Install 'clawkeeper' command in PATH", action: { type: 'install-cli' } });
  items.push({ type: 'separator' });
  items.push({
    label: host?.kind === 'attached' || host?.kind === 'service-gone' ? 'Quit ClawKeeper (the service keeps running)' : 'Quit ClawKeeper',
    action: { type: 'quit' },
  });
  return items;
}

/** The mark before a skill's name: its last run's outcome (an undelivered output is a failure). */
function lastRunMark(last: SkillView['lastRun']): string {
  if (!last) return '·';
  return undelivered(last) ? '✖' : OUTCOME[last.outcome];
}
