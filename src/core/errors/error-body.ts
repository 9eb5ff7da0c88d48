import { STATUS_CODES } from 'node:http';

export interface ErrorBody {
  error: string;
  message: string;
}

/** `404` → `not_found`, `413` → `payload_too_large`: the default code for a status. */
export function errorCodeFor(status: number): string {
  if (status >= 500 && status !== 502 && status !== 503 && status !== 504) return 'internal_error';
  return (STATUS_CODES[status] ?? 'error')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
}
