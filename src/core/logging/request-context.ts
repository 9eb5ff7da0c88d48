import { AsyncLocalStorage } from 'node:async_hooks';

export interface RequestContext {
  reqId: string;
}

/** Carries the HTTP request id through async calls so every log line of a request names it. */
export const requestContext = new AsyncLocalStorage<RequestContext>();
