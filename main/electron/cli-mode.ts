// `ClawKeeper --cli <command> ...`: the packaged app's binary as the `clawkeeper` command (the
// shim from "Install 'clawkeeper' command" runs it). The CLI runs in the main process and the app
// exits with its code; `start` becomes the headless service mode (utility processes, no Node).
import type { App } from 'electron';
import { runHeadlessInElectron } from './headless-mode.ts';
import type { UtilityForker } from './utility-launcher.ts';

export function cliArgs(argv: string[]): string[] | null {
  const i = argv.indexOf('--cli');
  return i < 0 ? null : argv.slice(i + 1);
}

export async function runCliInElectron(app: App, utilityProcess: UtilityForker, args: string[]): Promise<void> {
  if (args[0] === 'start') return runHeadlessInElectron(app, utilityProcess);
  const { main } = await import('../cli/index.ts');
  let code = 1;
  try {
    code = await main(args);
  } catch (err) {
    process.stderr.write(`clawkeeper: ${String(err)}\n`);
  }
  app.exit(code);
}
