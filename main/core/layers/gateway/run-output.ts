// A prompt skill's saved reply (outputs/<skill>/<label>.md), as the dashboard shows it on the
// run's row: Markdown rendered to HTML here, in the gateway, by markdown-it with raw HTML off, so
// the page receives only markup markdown-it itself wrote (every character of the model's reply is
// escaped text). Links may not run script (markdown-it refuses javascript:, vbscript:, file: and
// data: URLs) and open apart, without referrer; images become links (a reply must not make the
// page fetch anything). The file must be inside the home's outputs/<skill>/ folder, symlinks
// resolved: the ledger's path is data a skill could have influenced (and so are the folders: a
// skill could make outputs/<skill> a link to the home, so neither outputs/ nor outputs/<skill>
// may be one), and it must be a regular file (a FIFO there would hold the gateway's thread).
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, realpathSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import MarkdownIt from 'markdown-it';
import { ClawError } from '../../../common/errors.ts';
import type { HomePaths } from '../../home/paths.ts';
import { completeUtf8 } from './skill-page-api.ts';
import type { RunRow } from './runs-index.ts';

const C = 'gateway';
/** Replies past this are shown cut, with a note (the file stays whole on disk). */
export const OUTPUT_MAX_BYTES = 512 * 1024;

export interface RunOutput {
  runId: string;
  /** Relative to the home, as the ledger has it. */
  path: string;
  /** Rendered Markdown (no raw HTML). */
  html: string;
  bytes: number;
  truncated: boolean;
}

type Markdown = ReturnType<typeof MarkdownIt>;
let md: Markdown | null = null;

function renderer(): Markdown {
  if (md) return md;
  const m = MarkdownIt({ html: false, linkify: true, typographer: false });
  m.renderer.rules.link_open = (tokens, idx, options, _env, self) => {
    tokens[idx]!.attrSet('rel', 'noopener noreferrer nofollow');
    tokens[idx]!.attrSet('target', '_blank');
    return self.renderToken(tokens, idx, options);
  };
  m.renderer.rules.image = (tokens, idx) => {
    const t = tokens[idx]!;
    const src = m.utils.escapeHtml(String(t.attrGet('src') ?? ''));
    const alt = m.utils.escapeHtml(String(t.content || 'image'));
    return `<a href="${src}" rel="noopener noreferrer nofollow" target="_blank">[image: ${alt}]</a>`;
  };
  md = m;
  return m;
}

/** Markdown to safe HTML (exported for the tests). */
export function renderMarkdown(text: string): string {
  return renderer().render(text);
}

/** The saved reply of one run, rendered; 404 with the reason when there is none. */
export function readRunOutput(paths: HomePaths, row: RunRow | null, skill: string, runId: string): RunOutput {
  if (!row) throw new ClawError('CK_NOT_FOUND', C, `no run ${runId.slice(0, 80)} of ${skill}`);
  if (!row.output) throw new ClawError(
    'CK_NOT_FOUND', C, `run ${runId} of ${skill} saved no reply (only prompt skills do, when the run succeeds)`,
  );
  const file = confined(paths, skill, row.output);
  let fd: number;
  try {
    // No link followed at the last step (one swapped in since the check), and never a wait on a FIFO.
    fd = openSync(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  } catch {
    throw new ClawError('CK_NOT_FOUND', C, `the reply of run ${runId} (${row.output}) is no longer there`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new ClawError('CK_FORBIDDEN', C, `the reply ${row.output} is not a regular file; only files are served`);
    const size = st.size;
    const buf = Buffer.alloc(Math.min(size, OUTPUT_MAX_BYTES));
    const n = readSync(fd, buf, 0, buf.length, 0);
    const text = buf.subarray(0, completeUtf8(buf, n)).toString('utf8');
    return { runId, path: row.output, html: renderMarkdown(text), bytes: size, truncated: size > OUTPUT_MAX_BYTES };
  } finally {
    closeSync(fd);
  }
}

/** The file's real path, if it is inside outputs/<skill>/; otherwise 403. */
function confined(paths: HomePaths, skill: string, rel: string): string {
  const root = resolve(paths.outputs, skill);
  const refuse = () => new ClawError(
    'CK_FORBIDDEN', C,
    `the reply path ${JSON.stringify(rel.slice(0, 120))} is outside ${root}; nothing outside the outputs folder is served`,
  );
  const full = resolve(paths.home, rel);
  if (!full.startsWith(root + sep) || skill.includes(sep) || skill === '..' || skill === '.') throw refuse();
  let real: string;
  let realRoot: string;
  try {
    for (const dir of [paths.outputs, root]) {
      if (!lstatSync(dir).isDirectory()) throw new ClawError(
        'CK_FORBIDDEN', C,
        `${dir} is a link or not a folder; replies are served only from real folders under ${paths.outputs}`,
      );
    }
    realRoot = join(realpathSync(paths.outputs), skill);
    real = realpathSync(full);
  } catch (err) {
    if (err instanceof ClawError) throw err;
    throw new ClawError('CK_NOT_FOUND', C, `the reply ${rel} is no longer there`);
  }
  if (!real.startsWith(realRoot + sep)) throw refuse();
  return real;
}
