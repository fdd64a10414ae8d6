import { bundledSkillsDir } from '../core/home/app-paths.ts';
import { startHeadless } from '../core/app/headless.ts';
import { createConsoleLogger } from '../core/home/logger.ts';
import { resolveHome } from '../core/home/paths.ts';
import { createServiceLogger } from '../core/home/rotating-log.ts';
import { stripControls } from '../common/terminal-text.ts';
import { leaveRunningHostPointer } from '../core/home/current-host.ts';
import type { LayerTransition } from '../core/health/status-report.ts';
import type { CliContext } from './commands.ts';
// (a type-only import: start never loads the other commands)

/**
 * `clawkeeper start --headless`: the host in the foreground. SIGINT/SIGTERM stop scheduling and
 * let in-flight runs finish within their deadlines (recorded as usual); a second signal stops
 * them now (recorded `interrupted`). SIGHUP re-reads the skills; SIGUSR2 is the resume signal.
 */
export async function startCommand(ctx: CliContext): Promise<number> {
  // As a service (clawkeeper service install) the host writes its own rotating log.
  const logger = ctx.env.CLAWKEEPER_LOG_FILE
    ? createServiceLogger(ctx.env.CLAWKEEPER_LOG_FILE)
    : createConsoleLogger('', false, stripControls);
  const app = await startHeadless({ home: resolveHome(ctx.env), bundledSkillsDir: bundledSkillsDir(), logger, env: ctx.env });

  for (const line of app.banner()) ctx.out(line);
  // The pointer a later `clawkeeper status` (in any terminal) follows to this home and its ports.
  const clearPointer = leaveRunningHostPointer(
    ctx.env, { home: resolveHome(ctx.env), gatewayPort: app.gatewayPort(), sessionPort: app.sessionPort() }, logger,
  );
  const onReady = (name: string) => {
    if (name !== 'gateway') return;
    app.supervisor?.off('ready', onReady);
    // The gateway is up: a one-time login link (the code sits in the fragment, which the browser
    // never sends to any server, and it works once, within 60 s; `clawkeeper open` makes another).
    ctx.out(`Dashboard: http://127.0.0.1:${app.gatewayPort()}/login#code=${app.link!.loginCode()}`);
  };
  app.supervisor?.on('ready', onReady);
  // No dashboard yet (its port taken, say): say why, once per reason, instead of printing nothing.
  let told = '';
  const onTransition = (t: LayerTransition) => {
    if (t.layer !== 'gateway' || t.status === 'ok') return;
    const why = t.cause ?? t.reason;
    if (why === told) return;
    told = why;
    const next = t.restartInMs ? ` (next try in ${Math.round(t.restartInMs / 1000)} s, backing off to once a minute)` : '';
    ctx.out(`Dashboard: not available — ${why}; retrying by itself${next}`);
  };
  app.supervisor?.on('transition', onTransition);
  return new Promise<number>((resolve) => {
    let signals = 0;
    let firstAt = 0;
    const onStop = (sig: NodeJS.Signals) => {
      // One Ctrl-C can arrive twice within milliseconds (the terminal signals the whole group, and
      // a wrapper such as npx or bin/clawkeeper.js forwards it): only a second signal at least a
      // second later means "stop the runs now".
      if (signals === 1 && Date.now() - firstAt < 1000) return;
      signals++;
      if (signals === 1) {
        firstAt = Date.now();
        logger.info(`${sig}: stopping; in-flight runs get their deadline (send it again, a second from now, to stop them now)`);
        app.stop().then(
          () => {
            clearPointer();
            resolve(0);
          },
          (err: unknown) => {
            logger.error(`stop failed: ${String(err)}`);
            resolve(1);
          },
        );
      } else {
        app.host.interruptAll();
      }
    };
    process.on('SIGINT', onStop);
    process.on('SIGTERM', onStop);
    process.on('SIGHUP', () => app.host.reload());
    process.on('SIGUSR2', () => app.host.onResume());
  });
}
