// The request a piece of code runs for, without threading it through every call: the logger
// stamps every line with its request id (issue 7: request ids in every log line and error).
import { AsyncLocalStorage } from 'node:async_hooks';

export interface RequestContext { requestId: string }

export const requestContext = new AsyncLocalStorage<RequestContext>();

export function currentRequestId(): string | undefined {
  return requestContext.getStore()?.requestId;
}
