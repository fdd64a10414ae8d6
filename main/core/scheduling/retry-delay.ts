/**
 * How long before retrying a failed attempt: `backoffSeconds`, doubled per attempt already made
 * (attempt 1 failed → backoff, attempt 2 failed → 2 × backoff, ...). One rule for every way an
 * attempt ends, `interrupted` by a dead host included.
 */
export function retryDelaySeconds(backoffSeconds: number, failedAttempt: number): number {
  return backoffSeconds * 2 ** (Math.max(1, failedAttempt) - 1);
}
