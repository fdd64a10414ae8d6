import writeFileAtomic from 'write-file-atomic';
import type { Logger } from '../home/logger.ts';
import { newToken, readTokenFile } from './token.ts';

/**
 * The host is the only writer of the token file besides `clawkeeper token --rotate`. A file found
 * missing, empty or broken (an editor truncated it, `: > token`) is reported and replaced by a new
 * random token, atomically (temp file + rename), so a layer never reads half a token. Meanwhile
 * the layers keep the last good token they read (TokenSource never takes a weak one).
 */
export function startTokenKeeper(file: string, logger: Logger, everyMs = 1000): () => void {
  const log = logger.child('token');
  const check = (): void => {
    const r = readTokenFile(file);
    if ('token' in r) return;
    try {
      writeFileAtomic.sync(file, newToken() + '\n', { mode: 0o600 });
      log.warn(`${file} was ${r.problem}: wrote a new token (browser sessions must log in again; the CLI reads the new one)`);
    } catch (err) {
      log.error(`${file} is ${r.problem} and a new token cannot be written: ${(err as Error).message}`);
    }
  };
  const timer = setInterval(check, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
