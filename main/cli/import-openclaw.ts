import type { CliContext } from './commands.ts';
export function importCommand(ctx: CliContext, _what: string | undefined, _o: { from?: string; dryRun: boolean; force: boolean }): number {
  ctx.err('not yet');
  return 1;
}
