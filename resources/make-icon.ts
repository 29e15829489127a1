// Draws the app icon by code (no image tools needed): an amber-to-ember rounded square with a light "T" and an orbit, written as PNGs.
// Run: npx tsx resources/make-icon.ts  →  resources/icon.png (512 px, packaging) and src-renderer/public/favicon.png (64 px).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** Colour and coverage of one sample point in unit coordinates (0..1). */
function sample(x: number, y: number): [number, number, number, number] {
  const r = 0.22; // corner radius of the rounded square
  const m = 0.04; // margin
  const qx = Math.max(Math.abs(x - 0.5) - (0.5 - m - r), 0);
  const qy = Math.max(Math.abs(y - 0.5) - (0.5 - m - r), 0);
  if (Math.hypot(qx, qy) > r) return [0, 0, 0, 0];
  const t = (x + y) / 2;
  let rgb: [number, number, number] = [240 - 20 * t, 166 - 90 * t, 64 - 30 * t];
  // The "T": a top bar and a stem.
  const inBar = y > 0.26 && y < 0.38 && x > 0.24 && x < 0.76;
  const inStem = x > 0.44 && x < 0.56 && y > 0.26 && y < 0.78;
  // An orbit ring around the stem's foot, the "tachyon" streak.
  const ring = Math.abs(Math.hypot((x - 0.5) / 1.6, y - 0.62) - 0.2) < 0.018 && y > 0.55;
  if (inBar || inStem) rgb = [27, 18, 5];
  else if (ring) rgb = [255, 236, 200];
  return [rgb[0], rgb[1], rgb[2], 255];
}

function png(size: number): Buffer {
  const SS = 4;
  const raw = Buffer.alloc((size * 4 + 1) * size);
  for (let py = 0; py < size; py++) {
    raw[py * (size * 4 + 1)] = 0;
    for (let px = 0; px < size; px++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < SS; sy++) {
        for (let sx = 0; sx < SS; sx++) {
          const [cr, cg, cb, ca] = sample((px + (sx + 0.5) / SS) / size, (py + (sy + 0.5) / SS) / size);
          r += cr * ca; g += cg * ca; b += cb * ca; a += ca;
        }
      }
      const o = py * (size * 4 + 1) + 1 + px * 4;
      raw[o] = a ? Math.round(r / a) : 0;
      raw[o + 1] = a ? Math.round(g / a) : 0;
      raw[o + 2] = a ? Math.round(b / a) : 0;
      raw[o + 3] = Math.round(a / (SS * SS));
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

const root = path.resolve(import.meta.dirname, '..');
writeFileSync(path.join(root, 'resources', 'icon.png'), png(512));
mkdirSync(path.join(root, 'src-renderer', 'public'), { recursive: true });
writeFileSync(path.join(root, 'src-renderer', 'public', 'favicon.png'), png(64));
console.log('wrote resources/icon.png and src-renderer/public/favicon.png');
