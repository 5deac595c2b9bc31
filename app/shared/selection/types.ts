/** Shapes shared by the selection evaluators. */

export interface SelectionIssue {
  /** The piece of the input that is wrong, for inline highlighting. */
  token: string;
  message: string;
}

/** A mistake in an expression: its message is shown as is, after the part it belongs to. */
export class SelectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SelectionError';
  }
}
