// A load client in its own process (as a browser or a LAN client would be): autocannon against
// one gateway URL for BENCH_LOAD_SECONDS, 50 connections; prints {"rps": …} on stdout. The token
// comes in the environment, never on the command line.
import autocannon from 'autocannon';

const url = process.env.BENCH_LOAD_URL!;
const r = await autocannon({
  url,
  connections: 50,
  duration: Number(process.env.BENCH_LOAD_SECONDS ?? 5),
  headers: { host: new URL(url).host, authorization: `Bearer ${process.env.BENCH_LOAD_TOKEN ?? ''}` },
});
process.stdout.write(JSON.stringify({ rps: r.requests.average, errors: r.errors + r.non2xx }) + '\n');
