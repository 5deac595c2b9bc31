/**
 * Why a history entry could not be read or removed. The engine turns it into the API error with the same code
 * (app/api/engine.ts); history/ itself knows nothing of the API.
 */
export type HistoryErrorCode = 'busy' | 'not-found';

export class HistoryError extends Error {
  constructor(
    message: string,
    readonly code: HistoryErrorCode,
  ) {
    super(message);
    this.name = 'HistoryError';
  }
}
