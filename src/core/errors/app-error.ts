import { HttpException } from '@nestjs/common';

/**
 * A failure the client should hear about: an HTTP status, a stable machine-readable `error` code and a
 * sentence for people. Rendered as `{"error","message"}` by the global filter.
 */
export class AppError extends HttpException {
  constructor(
    status: number,
    readonly code: string,
    message: string,
  ) {
    super({ error: code, message }, status);
  }
}
