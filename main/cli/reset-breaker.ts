// `clawkeeper reset-breaker <skill>`: closes a tripped circuit breaker, through the running host
// (host.sock), the same command the dashboard's "Reset breaker" button sends.
import { resolveHome } from '../core/home/paths.ts';
import { askHost } from './ask-host.ts';
import type { CliContext } from './commands.ts';

export async function resetBreakerCommand(ctx: CliContext, name: string): Promise<number> {
  const home = resolveHome(ctx.env);
  const r = await askHost(home, { id: 1, op: 'reset-breaker', skill: name });
  if (!r) {
    // The breaker's state is the host's: resetting it behind a host's back could be undone by it.
    ctx.err(
      `clawkeeper reset-breaker: no ClawKeeper host is running with ${home}; start it first (a manual \`clawkeeper run ${name}\` also closes the breaker)`,
    );
    return 1;
  }
  if (!r.ok) {
    ctx.err(`clawkeeper reset-breaker: ${r.error.message}`);
    return 1;
  }
  const { was } = r.result as { was: string };
  ctx.out(
    was === 'closed'
      ? `${name}: the breaker was not tripped; nothing to reset`
      : `${name}: breaker reset (was ${was}); its next due slot runs`,
  );
  return 0;
}
