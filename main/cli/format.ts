import type { Color } from '../common/health.js';
import { colorMark, forTerminal, visibleLength } from '../common/terminal-text.ts';
import { relativeTime } from '../common/time-words.js';

export const useColor = process.stdout.isTTY && !process.env.NO_COLOR;
const codes: Record<Color, '31' | '32' | '33' | '90'> = { green: '32', amber: '33', red: '31', grey: '90' };

/** Colored text: marks that `terminalLine` turns into colors (or nothing) after stripping controls. */
export function paint(color: Color, text: string): string {
  return `${colorMark(codes[color])}${text}${colorMark('0')}`;
}

/** Every line the CLI prints passes here (main/cli/index.ts): no control character from a file reaches the terminal. */
export function terminalLine(text: string, color = useColor): string {
  return forTerminal(text, color);
}

/** A plain text table: columns padded to their widest cell. */
export function table(rows: string[][]): string {
  const width = visibleLength;
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, width(c))));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c + ' '.repeat((widths[i] ?? 0) - width(c)))).join('  ')).join('\n');
}

/** "5m ago", "in 4s" (time-words.js); '-' for no time, never a zero time. */
export function ago(iso: string | null, now = Date.now()): string {
  return relativeTime(iso, now, '-');
}
