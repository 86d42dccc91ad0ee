/**
 * An event or timer callback that runs async work. The DOM ignores what a listener returns, so the promise is let go
 * explicitly; each such callback handles its own failures (shows them, or tries again on the next tick).
 */
export function detached<A extends unknown[]>(work: (...args: A) => Promise<unknown>): (...args: A) => void {
  return (...args) => {
    void work(...args);
  };
}
