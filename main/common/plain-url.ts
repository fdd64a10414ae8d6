/**
 * An http(s) URL with no user:password, query or fragment: what may be written in config.json,
 * logged and shown (a URL with a token goes in a 0600 file or an environment variable instead).
 */
export function isPlainHttpUrl(v: unknown): v is string {
  if (typeof v !== 'string') return false;
  try {
    const u = new URL(v);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.username === '' && u.password === '' && u.search === ''
      && u.hash === '';
  } catch {
    return false;
  }
}
