import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { RaisedAlert } from '../../../main/common/alerts.ts';
import { AlertService } from '../../../main/core/alerts/alert-service.ts';
import { createMemoryLogger } from '../../../main/core/home/logger.ts';
import type { Clock } from '../../../main/core/scheduling/clock.ts';

export function writeConfig(home: string, config: Record<string, unknown>): void {
  writeFileSync(join(home, 'config.json'), JSON.stringify(config, null, 2));
}

/** A secret file under the home, mode 0600 unless told otherwise. */
export function writeSecret(home: string, rel: string, value: string, mode = 0o600): void {
  const file = join(home, rel);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, value + '\n', { mode });
}

let seq = 0;
export function alert(extra: Partial<RaisedAlert> = {}): RaisedAlert {
  return {
    event: 'skill-failing', skill: 'backup', outcome: 'failure', runId: 'r-1', slot: '2026-03-01T08:00:00.000Z',
    message: 'Its run failure: disk unreachable.', at: '2026-03-01T08:00:05.000Z', host: 'mac-mini',
    title: 'backup is failing', subject: 'skill:backup', ending: false, seq: ++seq, ...extra,
  };
}

export function service(
  home: string, clock: Clock,
  o: { env?: NodeJS.ProcessEnv; networkDown?: () => boolean; skillAlerts?: (s: string) => string[] | false | undefined } = {},
) {
  const logger = createMemoryLogger();
  const svc = new AlertService({
    home, configFile: join(home, 'config.json'), outboxFile: join(home, 'alerts', 'outbox.json'), env: o.env ?? {},
    logger, clock, networkDown: o.networkDown ?? (() => false), skillAlerts: o.skillAlerts ?? (() => undefined),
  });
  svc.start();
  return { svc, logger };
}
