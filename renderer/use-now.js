// @ts-check
import { useEffect, useState } from 'preact/hooks';

/** The time now, updated every `everyMs`: what "3s ago" and "in 27d" are computed from. */
export function useNow(everyMs = 1000) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(t);
  }, []);
  return now;
}
