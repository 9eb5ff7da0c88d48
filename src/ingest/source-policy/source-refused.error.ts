import { AppError } from '../../core/errors/app-error.js';

/** A source the ingest policy will not fetch; the message says why, for the API and the bot. */
export class SourceRefusedError extends AppError {
  constructor(reason: string) {
    super(400, 'source_refused', reason);
  }
}
