/**
 * Where a run starts when no working directory is given, said for the target the map shows (its origin is the
 * target URL without ?config=, see app/remote/remote-topology.ts): a remote run does not start in the tool's
 * directory but where ssh or docker exec puts a command.
 */
export function defaultWorkdirText(origin: string | null | undefined, localCwd: string | null): string {
  const o = origin ?? '';
  if (/^docker:\/\//.test(o) || /^ssh:\/\/[^/]*\/docker\//.test(o))
    return "the container's working directory (docker exec's default, often /)";
  if (/^ssh:\/\//.test(o)) return 'your login directory ($HOME) on the target';
  return localCwd ? `the tool's current directory (${localCwd})` : "the tool's current directory";
}
