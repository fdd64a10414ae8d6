import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));

export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

export function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

export interface Row {
  metric: string;
  ours: number;
  baseline: number;
  unit: string;
  /** ours / baseline */
  ratio: number;
  target: string;
  pass: boolean;
}

export function row(
  metric: string, ours: number, baseline: number, unit: string, target: string,
  pass: (ratio: number, ours: number) => boolean,
): Row {
  const ratio = ours / baseline;
  return { metric, ours: round(ours), baseline: round(baseline), unit, ratio: round(ratio), target, pass: pass(ratio, ours) };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

/** Prints the table and writes bench/results/<name>.json. */
export function report(name: string, baselineName: string, rows: Row[], extra: Record<string, unknown> = {}): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${name}.json`);
  writeFileSync(file, JSON.stringify({ name, baseline: baselineName, at: new Date().toISOString(), rows, ...extra }, null, 2) + '\n');
  const cells = [
    ['metric', 'ours', baselineName, 'unit', 'ratio', 'target', 'ok'],
    ...rows.map((r) => [r.metric, String(r.ours), String(r.baseline), r.unit, String(r.ratio), r.target, r.pass ? 'yes' : 'NO']),
  ];
  const w = cells[0]!.map((_, i) => Math.max(...cells.map((c) => c[i]!.length)));
  console.log(`\n## ${name} (baseline: ${baselineName})`);
  for (const c of cells) console.log(c.map((x, i) => x.padEnd(w[i]!)).join('  '));
  console.log(`→ ${file}`);
}
