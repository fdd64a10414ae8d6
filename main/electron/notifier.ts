import { DISK_FULL_TITLE, LAYER_NAMES, LAYER_TITLES, NETWORK_PARTITION_TITLE } from '../common/health.js';
import type { Snapshot } from '../common/layer-protocol.ts';

export interface Notice {
  title: string;
  body: string;
}


/**
 * Native notifications for what changed: a layer failing and recovering, a skill failing or going
 * late and recovering. Rate-limited twice: the same subject at most once per `perKeyMs` (a layer
 * flapping does not flood the user), and at most `maxPerHour` notices in all.
 */
export class Notifier {
  private prev: Snapshot | null = null;
  private readonly lastByKey = new Map<string, number>();
  private sent: number[] = [];
  private readonly show: (n: Notice) => void;
  private readonly now: () => number;
  private readonly perKeyMs: number;
  private readonly maxPerHour: number;
  suppressed = 0;

  constructor(show: (n: Notice) => void, now: () => number = Date.now, opts: { perKeyMs?: number; maxPerHour?: number } = {}) {
    this.show = show;
    this.now = now;
    this.perKeyMs = opts.perKeyMs ?? 5 * 60_000;
    this.maxPerHour = opts.maxPerHour ?? 12;
  }

  update(snap: Snapshot): void {
    const prev = this.prev;
    this.prev = snap;
    if (!prev) return;
    // A partition is one notice when it starts and one when it ends, never one per deferred slot;
    // driven by the network dependency itself, not by the scenario (a higher-ranked one, such as
    // "Skills down", would otherwise read as the partition's end).
    const netDown = (x: Snapshot) => x.dependencies?.network?.status === 'down';
    if (netDown(snap) && !netDown(prev)) {
      this.notify('partition', { title: NETWORK_PARTITION_TITLE, body: snap.scenario?.id === 'network-partition' ? snap.scenario.message : (snap.dependencies.network?.reason ?? '') });
    }
    if (!netDown(snap) && netDown(prev) && snap.dependencies?.network) {
      const waited = prev.skills.filter((s) => s.deferred?.includes('network')).map((s) => s.name);
      const caughtUp = snap.skills.filter((s) => waited.includes(s.name) && s.state !== 'deferred' && s.state !== 'paused').length;
      this.notify('partition', { title: 'Network is back', body: `${caughtUp} skill${caughtUp === 1 ? '' : 's'} caught up by their catchUp policy.` }, true);
    }
    for (const name of LAYER_NAMES) {
      const was = prev.layers[name].status;
      const is = snap.layers[name].status;
      // `restarting` is the supervisor doing its job: only a failed layer is worth a notice. A
      // runtime stopped by a full disk gets the disk's notice below, named as what it is.
      const byDisk = name === 'runtime' && snap.storage?.status === 'runs-failing';
      if (is === 'failed' && was !== 'failed' && !byDisk) this.notify(`layer:${name}`, { title: `${LAYER_TITLES[name]} is down`, body: name === 'runtime' ? snap.layers.runtime.reason : `Skills keep running. ${snap.layers[name].reason}` });
      if (is === 'ok' && was === 'failed') this.notify(`layer:${name}`, { title: `${LAYER_TITLES[name]} recovered`, body: 'Back to normal.' });
    }
    // A full disk, once per episode (the per-key limit keeps a flapping disk quiet).
    const disk = snap.storage?.status ?? 'ok';
    const diskWas = prev.storage?.status ?? 'ok';
    if (disk !== 'ok' && diskWas === 'ok') this.notify('storage', { title: disk === 'runs-failing' ? `${DISK_FULL_TITLE}: skills are not starting` : 'Disk nearly full: run output is not kept', body: snap.storage!.reason });
    if (disk === 'ok' && diskWas !== 'ok') this.notify('storage', { title: 'Disk space is back', body: 'Skills run and log again; missed slots follow their catchUp.' });
    const before = new Map(prev.skills.map((s) => [s.name, s.state]));
    for (const s of snap.skills) {
      const was = before.get(s.name);
      // An invalid skill (skill.json edited wrongly) will not run until fixed: worth a notice too.
      const bad = s.state === 'failing' || s.state === 'late' || s.state === 'invalid';
      const wasBad = was === 'failing' || was === 'late' || was === 'invalid';
      if (bad && !wasBad) this.notify(`skill:${s.name}`, { title: `${s.name} is ${s.state}`, body: s.reason });
      if (!bad && wasBad && s.state === 'ok') this.notify(`skill:${s.name}`, { title: `${s.name} recovered`, body: 'Its last run succeeded.' });
    }
  }

  /** `ending`: the end of what was notified is always told, whatever the per-subject limit. */
  private notify(key: string, n: Notice, ending = false): void {
    const now = this.now();
    this.sent = this.sent.filter((t) => now - t < 3600_000);
    const last = this.lastByKey.get(key);
    if ((!ending && last !== undefined && now - last < this.perKeyMs) || this.sent.length >= this.maxPerHour) {
      this.suppressed++;
      return;
    }
    this.lastByKey.set(key, now);
    this.sent.push(now);
    this.show(n);
  }
}
