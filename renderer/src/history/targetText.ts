/**
 * A target URL as a row or a sentence shows it: without its query, where `?config=` names a private ssh config
 * file that says nothing about the machine and pushes the host out of view. The full URL goes in the tooltip.
 */
export function targetText(target: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(target) ? target.replace(/\?.*$/, '') : target;
}
