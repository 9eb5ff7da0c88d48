/** The outcome of a synchronous fs call, in the shape its callback form reports it. */
export interface Attempt<T> {
  error: NodeJS.ErrnoException | null;
  value?: T;
}

/** Runs a synchronous fs call and returns its value or the error it threw, for callback-style code. */
export function attempt<T>(call: () => T): Attempt<T> {
  try {
    return { error: null, value: call() };
  } catch (error) {
    return { error: error as NodeJS.ErrnoException };
  }
}
