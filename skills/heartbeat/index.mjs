// heartbeat: host facts for the status line, so a glance at skills/status/heartbeat.txt tells
// whether the machine itself is healthy.
import { statfs } from 'node:fs/promises';
import { freemem, hostname, loadavg, totalmem, uptime } from 'node:os';

/** @param {{home: string}} ctx */
export default async function heartbeat(ctx) {
  const fs = await statfs(ctx.home);
  const [load1, load5] = loadavg();
  return {
    host: hostname(),
    uptime_s: Math.round(uptime()),
    load1: load1.toFixed(2),
    load5: load5.toFixed(2),
    mem_free_mb: Math.round(freemem() / 2 ** 20),
    mem_total_mb: Math.round(totalmem() / 2 ** 20),
    disk_free_mb: Math.round((fs.bavail * fs.bsize) / 2 ** 20),
  };
}
