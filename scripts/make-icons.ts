// Draws the app's icons as PNGs (tray templates and colored states at 1x and 2x, the app icon),
// so build/icons is reproducible without an image editor: `node scripts/make-icons.ts`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { deflateSync, crc32 } from 'node:zlib';
import { fileURLToPath } from 'node:url';

type RGBA = [number, number, number, number];

function png(size: number, pixel: (x: number, y: number) => RGBA): Buffer {
  const raw = Buffer.alloc((size * 4 + 1) * size);
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) {
      const p = pixel(x, y);
      raw.set(p.map((v) => Math.max(0, Math.min(255, Math.round(v)))), y * (size * 4 + 1) + 1 + x * 4);
    }
  }
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td) >>> 0);
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8;
  ihdr[9] = 6;
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function segDist(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax, dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

type Glyph = 'check' | 'dash' | 'cross';
const GLYPHS: Record<Glyph, [number, number, number, number][]> = {
  check: [[0.28, 0.52, 0.44, 0.68], [0.44, 0.68, 0.73, 0.35]],
  dash: [[0.3, 0.5, 0.7, 0.5]],
  cross: [[0.33, 0.33, 0.67, 0.67], [0.67, 0.33, 0.33, 0.67]],
};

/** A filled disc with a glyph cut out (template: black + alpha; colored: color disc, white glyph). */
function icon(size: number, glyph: Glyph, color: [number, number, number] | null): Buffer {
  const stroke = 0.09;
  return png(size, (x, y) => {
    let disc = 0, mark = 0;
    const S = 4; // supersampling
    for (let i = 0; i < S; i++) for (let j = 0; j < S; j++) {
      const u = (x + (i + 0.5) / S) / size, v = (y + (j + 0.5) / S) / size;
      if (Math.hypot(u - 0.5, v - 0.5) <= 0.46) disc++;
      if (GLYPHS[glyph].some(([a, b, c, d]) => segDist(u, v, a, b, c, d) <= stroke)) mark++;
    }
    const d = disc / (S * S), m = Math.min(d, mark / (S * S));
    if (!color) return [0, 0, 0, 255 * (d - m)];
    return [color[0] * (1 - m) + 255 * m, color[1] * (1 - m) + 255 * m, color[2] * (1 - m) + 255 * m, 255 * d];
  });
}

const dir = fileURLToPath(new URL('../build/icons/', import.meta.url));
mkdirSync(dir, { recursive: true });
const files: Record<string, Buffer> = {
  'trayTemplate.png': icon(16, 'check', null),
  'trayTemplate@2x.png': icon(32, 'check', null),
  'tray-operational.png': icon(16, 'check', [26, 127, 55]),
  'tray-operational@2x.png': icon(32, 'check', [26, 127, 55]),
  'tray-degraded.png': icon(16, 'dash', [214, 150, 0]),
  'tray-degraded@2x.png': icon(32, 'dash', [214, 150, 0]),
  'tray-down.png': icon(16, 'cross', [198, 40, 40]),
  'tray-down@2x.png': icon(32, 'cross', [198, 40, 40]),
  'icon.png': icon(512, 'check', [26, 127, 55]),
};
for (const [name, data] of Object.entries(files)) writeFileSync(dir + name, data);
console.log(`wrote ${Object.keys(files).length} icons to ${dir}`);
