// `clawkeeper alerts test [channel]`: a test alert to each channel (or one), and what each
// answered. The running host sends it (over host.sock), so its channel status shows it too; with
// no host, this process sends it from the same config.
import { AlertService } from '../core/alerts/alert-service.ts';
import { SEND_TIMEOUT_MS } from '../core/alerts/alert-send.ts';
import { homePaths, resolveHome } from '../core/home/paths.ts';
import { systemClock } from '../core/scheduling/clock.ts';
import { askHost } from './ask-host.ts';
import type { CliContext } from './commands.ts';

type Answer = { channel: string; ok: boolean; answer: string };

export async function alertsCommand(ctx: CliContext, sub: string | undefined, channel: string | undefined): Promise<number> {
  if (sub !== 'test') {
    ctx.err('usage: clawkeeper alerts test [channel]   (channels: config.json "alerts.channels"; docs/alerts.md)');
    return 64;
  }
  const home = resolveHome(ctx.env);
  const paths = homePaths(home);
  const local = new AlertService({
    home, configFile: paths.config, outboxFile: paths.alertsOutbox, env: ctx.env, logger: ctx.logger,
    clock: systemClock, networkDown: () => false, skillAlerts: () => undefined,
  });
  const cfg = local.config();
  for (const p of cfg.problems) ctx.err(`clawkeeper alerts: ${p}`);
  if (cfg.channels.size === 0 && channel === undefined) {
    ctx.err(`clawkeeper alerts: no alert channels in ${paths.config} ("alerts": {"channels": {...}}); docs/alerts.md shows how`);
    return 1;
  }
  // The host waits for each channel's answer (up to SEND_TIMEOUT_MS): so does this question.
  const r = await askHost(home, { id: 1, op: 'alerts-test', ...(channel !== undefined ? { channel } : {}) }, 3000, SEND_TIMEOUT_MS + 5000);
  let answers: Answer[];
  if (r === null) answers = await local.test(channel);
  else if (!r.ok) {
    ctx.err(`clawkeeper alerts: ${r.error.message}`);
    return 1;
  } else answers = (r.result as { answers: Answer[] }).answers;
  for (const a of answers) ctx.out(`${a.channel}: ${a.ok ? 'ok' : 'FAILED'} — ${a.answer}`);
  return answers.every((a) => a.ok) ? 0 : 1;
}
