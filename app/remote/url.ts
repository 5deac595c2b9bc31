/**
 * Where a workload runs: this machine, an SSH host, or a Docker container (on this machine or on an SSH host).
 * A target is written as a URL so it fits one CLI flag, one line of targets.json and one text field in the UI:
 *
 *   local                              this machine
 *   ssh://[user@]host[:port]           an SSH host, through the system `ssh` client and the user's ~/.ssh/config
 *   docker://container                 a container on this machine, through `docker exec`
 *   ssh://[user@]host[:port]/docker/container   a container on an SSH host
 *
 * `?config=FILE` on an ssh URL passes `ssh -F FILE` (tests, or a config kept apart from ~/.ssh/config).
 * Every value ends up as an argument of `ssh` or `docker`, so the grammar is strict: a host starting with "-"
 * would be read as an option by ssh, and a container name outside Docker's alphabet cannot exist anyway.
 */
import { z } from 'zod';

export class TargetUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetUrlError';
  }
}

// Host names, IPv4 and (bracketed in URLs) IPv6 literals; ssh_config Host aliases use the same alphabet.
const HOST = /^(?:[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,252})|[0-9A-Fa-f:.]+(?:%[\w.-]+)?)$/;
// POSIX portable user names, plus the "." and "@"-free forms LDAP/AD setups hand out (DOMAIN\user is not sent
// through URLs by anyone; keep the alphabet narrow).
const USER = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;
// Docker's own rule for container names ([a-zA-Z0-9][a-zA-Z0-9_.-]+); ids are hex and fit it too.
const CONTAINER = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$/;

export const SshTargetSchema = z
  .object({
    kind: z.literal('ssh'),
    host: z.string().regex(HOST, 'not a valid host name or address'),
    user: z.string().regex(USER, 'not a valid user name').nullable(),
    port: z.number().int().min(1).max(65535).nullable(),
    /** `ssh -F FILE`; null = the user's normal configuration. */
    configFile: z.string().min(1).max(4096).nullable(),
  })
  .strict();

export const DockerTargetSchema = z
  .object({
    kind: z.literal('docker'),
    container: z.string().regex(CONTAINER, 'not a valid container name'),
    /** The SSH host the container runs on; null = this machine's Docker. */
    via: SshTargetSchema.nullable(),
  })
  .strict();

export const TargetSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('local') }).strict(),
  SshTargetSchema,
  DockerTargetSchema,
]);

export type SshTarget = z.infer<typeof SshTargetSchema>;
export type DockerTarget = z.infer<typeof DockerTargetSchema>;
export type Target = z.infer<typeof TargetSchema>;
export type RemoteTarget = SshTarget | DockerTarget;

export const LOCAL: Target = { kind: 'local' };
export const LOCAL_URL = 'local';

const EXAMPLES = 'ssh://user@host[:port], docker://container or ssh://user@host/docker/container';

function fail(text: string, why: string): never {
  throw new TargetUrlError(`"${text}" is not a target: ${why} (expected ${EXAMPLES})`);
}

function checked<T>(schema: z.ZodType<T>, value: unknown, text: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field = issue?.path.at(-1);
  return fail(text, `${field !== undefined ? String(field) + ': ' : ''}${issue?.message ?? 'invalid'}`);
}

function parseQuery(search: string, text: string): { configFile: string | null } {
  const params = new URLSearchParams(search);
  let configFile: string | null = null;
  for (const [k, v] of params) {
    if (k === 'config') configFile = v;
    else fail(text, `unknown option "${k}" (only ?config=FILE is understood)`);
  }
  return { configFile };
}

/** Parse and validate a target URL; throws TargetUrlError saying what is wrong. */
export function parseTarget(input: string): Target {
  const text = input.trim();
  if (text === '' || text === LOCAL_URL || text === 'local://' || text === 'this host') return LOCAL;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    // The most common slip: "me@server" typed the way ssh takes it.
    if (/^[^/:]+@[^/]+$/.test(text)) fail(text, `a scheme is missing; did you mean ssh://${text}?`);
    fail(text, 'it has no scheme');
  }
  if (scheme === 'docker') {
    const m = /^docker:\/\/([^/?#]*)\/?$/i.exec(text);
    if (!m || m[1] === '') fail(text, 'name the container: docker://NAME');
    return checked(TargetSchema, { kind: 'docker', container: decodeURIComponent(m[1]!), via: null }, text);
  }
  if (scheme !== 'ssh') fail(text, `unsupported scheme "${scheme}://"`);

  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return fail(text, 'it is not a well-formed URL');
  }
  if (url.password) fail(text, 'passwords do not belong in the URL: AIO Tuner uses your SSH keys and agent');
  if (url.hash) fail(text, 'a "#" part is not understood');
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') fail(text, 'the host is missing');
  const ssh = checked(
    SshTargetSchema,
    {
      kind: 'ssh',
      host: decodeURIComponent(host),
      user: url.username ? decodeURIComponent(url.username) : null,
      port: url.port ? Number(url.port) : null,
      configFile: parseQuery(url.search, text).configFile,
    },
    text,
  );
  const path = url.pathname.replace(/\/+$/, '');
  if (path === '') return ssh;
  const m = /^\/docker\/([^/]+)$/.exec(path);
  if (!m) fail(text, `the path "${url.pathname}" is not understood (only /docker/CONTAINER)`);
  return checked(TargetSchema, { kind: 'docker', container: decodeURIComponent(m[1]!), via: ssh }, text);
}

function sshAuthority(t: SshTarget): string {
  const host = t.host.includes(':') ? `[${t.host}]` : t.host;
  return `${t.user ? encodeURIComponent(t.user) + '@' : ''}${host}${t.port ? ':' + t.port : ''}`;
}

function sshQuery(t: SshTarget): string {
  return t.configFile ? `?${new URLSearchParams({ config: t.configFile }).toString()}` : '';
}

/** The canonical URL of a target (what targets.json stores and runs are tagged with). */
export function targetUrl(t: Target): string {
  switch (t.kind) {
    case 'local':
      return LOCAL_URL;
    case 'ssh':
      return `ssh://${sshAuthority(t)}${sshQuery(t)}`;
    case 'docker':
      return t.via
        ? `ssh://${sshAuthority(t.via)}/docker/${encodeURIComponent(t.container)}${sshQuery(t.via)}`
        : `docker://${encodeURIComponent(t.container)}`;
  }
}

/** A short human name: "this machine", "me@server", "container aio on me@server". */
export function targetLabel(t: Target): string {
  switch (t.kind) {
    case 'local':
      return 'this machine';
    case 'ssh':
      return `ssh://${sshAuthority(t)}`;
    case 'docker':
      return t.via ? `container ${t.container} on ssh://${sshAuthority(t.via)}` : `container ${t.container}`;
  }
}

export function isRemote(t: Target): t is RemoteTarget {
  return t.kind !== 'local';
}

/** The SSH host a target goes through, if any. */
export function sshHostOf(t: Target): SshTarget | null {
  return t.kind === 'ssh' ? t : t.kind === 'docker' ? t.via : null;
}
