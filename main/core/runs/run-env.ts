// What a run's process gets from the host's environment. Skills are trusted code (they run as the
// user), but the host's environment often holds secrets meant for one tool (OPENAI_API_KEY,
// AWS_*, GITHUB_TOKEN, SSH_AUTH_SOCK): a skill gets them only when its skill.json asks by name
// (`inheritEnv`). A model's API key never travels this way: the model client gets it over IPC.

/** Always passed on: what a process needs to behave like one started from the user's shell. */
const BASE_NAMES = new Set(['PATH', 'HOME', 'USER', 'LOGNAME', 'LANG', 'TZ', 'TMPDIR', 'SHELL']);

export function inheritedEnv(base: NodeJS.ProcessEnv, inheritEnv: readonly string[] = []): NodeJS.ProcessEnv {
  const asked = new Set(inheritEnv);
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(base)) {
    if (v === undefined) continue;
    if (BASE_NAMES.has(k) || k.startsWith('LC_') || asked.has(k)) env[k] = v;
  }
  // Ours, whatever a skill asks: the API token never reaches a run through the environment.
  delete env.CLAWKEEPER_TOKEN;
  return env;
}
