// Electron's net.isOnline() as a hint: when the OS says the machine went on- or offline, the
// host probes its dependencies at once. Never the verdict: only a probe decides (a captive
// portal is "online", a VPN drop may not be seen at all).
export interface OnlineHintDeps {
  isOnline: () => boolean;
  onChange: (online: boolean) => void;
  everyMs?: number;
}

export function initializeOnlineHint(d: OnlineHintDeps): { check: () => void; stop: () => void } {
  let last = d.isOnline();
  const check = () => {
    const now = d.isOnline();
    if (now !== last) {
      last = now;
      d.onChange(now);
    }
  };
  const timer = setInterval(check, d.everyMs ?? 2000);
  timer.unref?.();
  return { check, stop: () => clearInterval(timer) };
}
