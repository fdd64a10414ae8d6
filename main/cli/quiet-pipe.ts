/**
 * `clawkeeper status | head -1`: once the reader is gone, writes fail with EPIPE, which Node
 * raises as an unhandled 'error' event (a stack trace, exit 1). A closed pipe means nobody wants
 * more output: stop writing, and let the command end with its own exit code. Any other write
 * error (a full disk behind a redirect) is said once on stderr.
 */
export function endQuietlyOnClosedPipe(
  stdout: NodeJS.WritableStream = process.stdout, stderr: NodeJS.WritableStream = process.stderr,
): { open: (s: NodeJS.WritableStream) => boolean } {
  const closed = new Set<NodeJS.WritableStream>();
  for (const s of [stdout, stderr]) {
    s.on('error', (err: NodeJS.ErrnoException) => {
      const first = !closed.has(s);
      closed.add(s);
      if (!first || err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') return;
      if (s !== stderr && !closed.has(stderr)) stderr.write(`clawkeeper: cannot write the output: ${err.message}\n`);
    });
  }
  return { open: (s) => !closed.has(s) };
}
