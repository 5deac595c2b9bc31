/**
 * Why a sweep could not be planned, started or found. The engine turns it into the API error with the same code
 * (app/api/engine.ts); sweep/ itself knows nothing of the API.
 */
export type SweepErrorCode = 'bad-request' | 'busy' | 'not-found';

export class SweepError extends Error {
  constructor(
    message: string,
    readonly code: SweepErrorCode,
  ) {
    super(message);
    this.name = 'SweepError';
  }
}
