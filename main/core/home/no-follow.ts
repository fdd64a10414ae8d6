import { randomBytes } from 'node:crypto';
import { closeSync, constants, fsyncSync, lstatSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

// Files the host or the CLI writes where someone else may have put a link first (issue #18: a link
// named like an exported unit made `export --out` overwrite a root-owned file; a link at a status
// file was written through). Nothing here ever opens an existing name: a new file is made beside
// it, exclusively and without following links, then renamed over the name, which replaces a
// link instead of following it. (write-file-atomic resolves links on purpose, so not here.)

const NO_FOLLOW = constants.O_NOFOLLOW ?? 0;

/** Writes `file` as a fresh inode (temp file in the same folder + rename); a link at `file` is replaced, never followed. */
export function writeFileNoFollow(file: string, content: string | Buffer, mode: number, opts: { fsync?: boolean } = {}): void {
  const tmp = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NO_FOLLOW, mode);
  try {
    const buf = typeof content === 'string' ? Buffer.from(content) : content;
    for (let at = 0; at < buf.length; ) at += writeSync(fd, buf, at, buf.length - at);
    if (opts.fsync) fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, file);
  } catch (err) {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
    try {
      unlinkSync(tmp);
    } catch {
      // never made, or already renamed
    }
    throw err;
  }
}

/**
 * Why a folder is unsafe to write files into for someone else to use (null when it is fine):
 * writable by other users (sticky or not: in /tmp anyone may plant or swap a name before we
 * write), writable by a group other than the user's own, or owned by another user (root aside).
 */
export function sharedFolderProblem(dir: string): string | null {
  if (process.platform === 'win32') return null;
  const st = statSync(dir);
  if (!st.isDirectory()) return `${dir} is not a folder`;
  const mode = (st.mode & 0o7777).toString(8);
  const risk = 'another user could plant a link named like a file written there';
  if (st.mode & 0o002) return `${dir} is writable by every user (mode ${mode}): ${risk}`;
  if (st.mode & 0o020 && st.gid !== process.getgid?.()) return `${dir} is writable by its group (gid ${st.gid}, mode ${mode}): ${risk}`;
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid && st.uid !== 0) return `${dir} belongs to another user (uid ${st.uid})`;
  return null;
}

/** True when `path` is a real folder, not a link to one (nor anything else). */
export function isRealFolder(path: string): boolean {
  try {
    return lstatSync(path).isDirectory();
  } catch {
    return false;
  }
}
