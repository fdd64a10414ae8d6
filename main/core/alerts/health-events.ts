import { DISK_FULL_TITLE, LAYER_NAMES, LAYER_TITLES, NETWORK_PARTITION_TITLE } from '../../common/health.js';
import type { AlertEventName } from '../../common/alerts.ts';
import type { HealthReport } from '../../common/layer-protocol.ts';

/** An alert before the host stamps it (seq, at, host). */
export interface AlertDraft {
  event: AlertEventName;
  title: string;
  message: string;
  subject: string;
  ending: boolean;
  skill?: string;
  outcome?: string;
  runId?: string;
  slot?: string;
}

/**
 * What changed between two health reports that someone should be told: a layer failing and
 * recovering, a full disk and space back, a skill going late. The host turns these (and its own
 * events: a run's final outcome, a breaker, a budget, a dependency) into the one alert stream
 * that the native notifier, the channels and the dashboard all consume (alert-source.ts).
 */
export function healthEvents(prev: HealthReport, next: HealthReport): AlertDraft[] {
  const out: AlertDraft[] = [];
  for (const name of LAYER_NAMES) {
    const was = prev.layers[name].status;
    const is = next.layers[name].status;
    // `restarting` is the supervisor doing its job: only a failed layer is worth telling. A
    // runtime stopped by a full disk gets the disk's alert below, named as what it is.
    const byDisk = name === 'runtime' && next.storage?.status === 'runs-failing';
    if (is === 'failed' && was !== 'failed' && !byDisk) {
      out.push({
        event: 'layer-failed', subject: `layer:${name}`, ending: false, title: `${LAYER_TITLES[name]} is down`,
        message: name === 'runtime' ? next.layers.runtime.reason : `Skills keep running. ${next.layers[name].reason}`,
      });
    }
    if (is === 'ok' && was === 'failed') out.push({
      event: 'layer-recovered', subject: `layer:${name}`, ending: true, title: `${LAYER_TITLES[name]} recovered`,
      message: 'Back to normal.',
    });
  }
  // A full disk, once per episode.
  const disk = next.storage?.status ?? 'ok';
  const diskWas = prev.storage?.status ?? 'ok';
  if (disk !== 'ok' && diskWas === 'ok') {
    out.push({
      event: 'disk-full', subject: 'storage', ending: false,
      title: disk === 'runs-failing' ? `${DISK_FULL_TITLE}: skills are not starting` : 'Disk nearly full: run output is not kept',
      message: next.storage!.reason,
    });
  }
  if (disk === 'ok' && diskWas !== 'ok') out.push({
    event: 'disk-ok', subject: 'storage', ending: true, title: 'Disk space is back',
    message: 'Skills run and log again; missed slots follow their catchUp.',
  });
  const before = new Map(prev.skills.map((s) => [s.name, s.state]));
  for (const s of next.skills) {
    if (s.state === 'late' && before.get(s.name) !== 'late' && before.has(s.name)) {
      out.push({
        event: 'skill-late', subject: `skill:${s.name}`, ending: false, skill: s.name, title: `${s.name} is late`,
        message: s.reason,
      });
    }
    // An invalid skill (skill.json edited wrongly) will not run until fixed: its schedule is
    // failing, so it is told as that, with the problems as the message.
    if (s.state === 'invalid' && before.get(s.name) !== 'invalid') {
      out.push({
        event: 'skill-failing', subject: `skill:${s.name}`, ending: false, skill: s.name, title: `${s.name} is invalid`,
        message: s.reason,
      });
    }
  }
  return out;
}

/**
 * A dependency going down or coming back: once at the start of a partition and once at its end,
 * with how many waiting skills caught up, never once per deferred slot.
 */
export function dependencyEvent(
  t: { dependency: string; status: 'ok' | 'down'; reason: string; caughtUp?: number }, waiting: string[],
  running: string[],
): AlertDraft {
  const network = t.dependency === 'network';
  const subject = `dependency:${t.dependency}`;
  if (t.status === 'down') {
    const who = (waiting.length ? `waiting: ${waiting.join(', ')}` : 'no skill waits for it')
      + (running.length ? `; still running: ${running.join(', ')}` : '');
    return {
      event: 'dependency-down', subject, ending: false,
      title: network ? NETWORK_PARTITION_TITLE : `${t.dependency} is down`, message: `${t.reason}. ${who}`,
    };
  }
  const n = t.caughtUp ?? 0;
  return {
    event: 'dependency-up', subject, ending: true, title: network ? 'Network is back' : `${t.dependency} is back`,
    message: `${n} skill${n === 1 ? '' : 's'} caught up by their catchUp policy.`,
  };
}
