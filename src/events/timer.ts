/** setTimeout's largest delay; above it Node fires after 1 ms. */
const MAX_DELAY = 0x7fffffff;

/**
 * Calls `fn` after `ms` milliseconds, however long (Infinity: never), by
 * chaining timers no longer than Node allows. Returns the cancel function.
 */
export function armTimer(ms: number, fn: () => void): () => void {
  if (ms === Infinity) return () => undefined;
  let timer: NodeJS.Timeout;
  const due = Date.now() + ms;
  const arm = (left: number): void => {
    timer = setTimeout(() => {
      const rest = due - Date.now();
      if (rest > 0) arm(rest);
      else fn();
    }, Math.min(Math.max(left, 0), MAX_DELAY));
  };
  arm(ms);
  return () => clearTimeout(timer);
}
