/**
 * Why a run could not be started, stopped or found. The engine turns it into the API error with the same code
 * (app/api/engine.ts); run/ itself knows nothing of the API.
 */
export type RunErrorCode = 'precondition' | 'start-failed' | 'busy' | 'not-found';

export class RunError extends Error {
  constructor(
    message: string,
    readonly code: RunErrorCode,
  ) {
    super(message);
    this.name = 'RunError';
  }
}
