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

/**
 * The connection to the target was lost during a point: its row would be a failure of the link, not of the
 * settings, and every later point would fail alike. The sweep ends cancelled (resumable) instead.
 */
export class ConnectionLostError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConnectionLostError';
  }
}
