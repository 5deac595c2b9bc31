/**
 * The one command that describes a remote machine: a POSIX sh script, sent on stdin to `sh -s`, that prints
 * every sysfs/procfs file the topology engine reads, in a delimited form. Nothing is installed on the target;
 * cat, grep, uname and getconf are in every Linux userland, busybox included.
 *
 * Why not tar: sysfs attributes report a size of 4096 whatever they hold, so archivers copy padding or
 * nothing. Why grep for the bulk: a 384-CPU machine has ~9,000 per-CPU attributes, and one `cat` per file
 * would fork 9,000 times; `grep -aH '' FILES…` reads them all in one process and prefixes each line with its
 * file. The few files whose exact bytes or emptiness matter go through `cat` between markers.
 */

/** Marker prefix; a random nonce per probe makes it impossible for file contents to fake one. */
export const markerFor = (nonce: string): string => `@@AIO_TUNER_${nonce}@@`;

// Shell parameter expansions, kept out of the template literal's own ${...} syntax.
const D = '$' + '{';

// sh functions share the caller's variables: the helpers use _-prefixed names the main part never touches.
export const PROBE_SCRIPT = String.raw`
M="@@AIO_TUNER_$1@@"
C=/sys/devices/system/cpu
N=/sys/devices/system/node
f() {
  for _f in "$@"; do
    [ -f "$_f" ] || continue
    printf '%s F %s\n' "$M" "$_f"
    cat -- "$_f" 2>/dev/null
    _s=$?
    printf '\n%s E %s\n' "$M" "$_s"
  done
}
G=0
echo x | grep -aH x >/dev/null 2>&1 && G=1
g() {
  if [ "$G" = 1 ]; then
    printf '%s G\n' "$M"
    grep -aH '' "$@" 2>/dev/null
    printf '%s E 0\n' "$M"
  else
    f "$@"
  fi
}
c() {
  _n=$1
  shift
  printf '%s C %s\n' "$M" "$_n"
  "$@" 2>/dev/null
  _s=$?
  printf '\n%s E %s\n' "$M" "$_s"
}
printf '%s V 1\n' "$M"
f $C/possible $C/present $C/online $C/offline $C/isolated $N/possible $N/online $N/has_memory $N/has_cpu
f /proc/cpuinfo /proc/meminfo /proc/self/status /proc/cmdline /proc/self/cgroup /proc/sys/kernel/osrelease
f /sys/kernel/mm/transparent_hugepage/enabled /sys/kernel/mm/transparent_hugepage/defrag
f /sys/devices/virtual/dmi/id/sys_vendor /sys/devices/virtual/dmi/id/product_name
g $C/cpu[0-9]*/online $C/cpu[0-9]*/regs/identification/midr_el1
g $C/cpu[0-9]*/cpu_capacity $C/cpu[0-9]*/cpufreq/cpuinfo_max_freq
f /sys/devices/cpu_core/cpus /sys/devices/cpu_atom/cpus
g $C/cpu[0-9]*/topology/physical_package_id $C/cpu[0-9]*/topology/core_id $C/cpu[0-9]*/topology/cluster_id
g $C/cpu[0-9]*/topology/core_cpus_list $C/cpu[0-9]*/topology/thread_siblings_list $C/cpu[0-9]*/topology/cluster_cpus_list
g $C/cpu[0-9]*/cache/index[0-9]*/level $C/cpu[0-9]*/cache/index[0-9]*/type
g $C/cpu[0-9]*/cache/index[0-9]*/shared_cpu_list $C/cpu[0-9]*/cache/index[0-9]*/size
g $N/node[0-9]*/cpulist $N/node[0-9]*/distance $N/node[0-9]*/meminfo
if [ -r /proc/self/cgroup ]; then
  while IFS= read -r line; do
    rest=${D}line#*:}
    ctrl=${D}rest%%:*}
    p=${D}rest#*:}
    [ -n "$p" ] || p=/
    while :; do
      case $p in /) d= ;; *) d=$p ;; esac
      case $ctrl in
        '') f /sys/fs/cgroup$d/cpuset.cpus.effective /sys/fs/cgroup$d/cpuset.mems.effective ;;
        *cpuset*) f /sys/fs/cgroup/cpuset$d/cpuset.effective_cpus /sys/fs/cgroup/cpuset$d/cpuset.cpus ;;
      esac
      [ "$p" = / ] && break
      p=${D}p%/*}
      [ -n "$p" ] || p=/
    done
  done < /proc/self/cgroup
fi
c uname uname -a
c nodename uname -n
c pagesize getconf PAGESIZE
c tools sh -c 'for t in numactl python3 python setsid lscpu; do p=$(command -v "$t" 2>/dev/null) && printf "%s=%s\n" "$t" "$p"; done'
c release cat /.release
printf '%s V end\n' "$M"
`;

export interface ProbeOutput {
  /** Absolute path on the target → contents (exactly as read). */
  files: Map<string, string>;
  /** Named command outputs (uname, nodename, pagesize, tools, release) and their exit status. */
  commands: Map<string, { output: string; status: number }>;
  /** False when the output stopped before the end marker (connection lost, script killed). */
  complete: boolean;
}

/** Split the probe's output back into files and command results. */
export function parseProbeOutput(out: string, nonce: string): ProbeOutput {
  const M = markerFor(nonce);
  const files = new Map<string, string>();
  const commands = new Map<string, { output: string; status: number }>();
  const grepped = new Map<string, string[]>();
  let complete = false;
  let pos = out.indexOf(`${M} V `);
  while (pos !== -1 && pos < out.length) {
    const lineEnd = out.indexOf('\n', pos);
    if (lineEnd === -1) break;
    const [kind = '', ...rest] = out.slice(pos + M.length + 1, lineEnd).split(' ');
    const arg = rest.join(' ');
    if (kind === 'V') {
      if (arg === 'end') complete = true;
      pos = lineEnd + 1;
    } else if (kind === 'F' || kind === 'C') {
      const end = out.indexOf(`\n${M} E `, lineEnd);
      if (end === -1) break;
      const content = out.slice(lineEnd + 1, end);
      const statusEnd = out.indexOf('\n', end + 1);
      const status = Number(out.slice(end + M.length + 4, statusEnd === -1 ? undefined : statusEnd));
      if (kind === 'F') {
        if (status === 0) files.set(arg, content);
      } else commands.set(arg, { output: content, status });
      pos = statusEnd === -1 ? out.length : statusEnd + 1;
    } else if (kind === 'G') {
      const end = out.indexOf(`${M} E `, lineEnd + 1);
      if (end === -1) break;
      for (const line of out.slice(lineEnd + 1, end).split('\n')) {
        // sysfs paths never contain ":", so the first one ends the file name.
        const colon = line.indexOf(':');
        if (colon <= 0) continue;
        const path = line.slice(0, colon);
        const list = grepped.get(path) ?? [];
        list.push(line.slice(colon + 1));
        grepped.set(path, list);
      }
      const statusEnd = out.indexOf('\n', end);
      pos = statusEnd === -1 ? out.length : statusEnd + 1;
    } else {
      pos = out.indexOf(`${M} `, lineEnd + 1);
    }
    if (pos !== -1 && !out.startsWith(M, pos)) pos = out.indexOf(`${M} `, pos);
  }
  for (const [path, lines] of grepped) if (!files.has(path)) files.set(path, lines.join('\n') + '\n');
  return { files, commands, complete };
}

/** `numactl=/usr/bin/numactl` lines of the tools command → name → path. */
export function parseTools(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of (text ?? '').split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1).trim();
  }
  return out;
}

/**
 * The paths the probe script asks for, as patterns: a file the readers look for that matches one and that the
 * probe did not bring is absent on the target, so it is not asked for again (app/remote/remote-topology.ts
 * fetches only what the script does not cover: the files a reader started to need after the script was written).
 */
const COVERED: RegExp[] = (() => {
  const vars: Record<string, string> = { C: '/sys/devices/system/cpu', N: '/sys/devices/system/node' };
  const out: RegExp[] = [];
  for (const m of PROBE_SCRIPT.matchAll(/(?:^|[;)]) *([fg]) ([^;\n]+)/gm)) {
    for (const word of m[2]!.trim().split(/\s+/)) {
      const path = word.replace(/\$([CN])\b/g, (_x, v: string) => vars[v]!);
      if (!path.startsWith('/')) continue;
      const re = path
        .split(/(\$d|\[0-9\]\*|\*)/)
        .map((part) =>
          part === '$d'
            ? '(?:/.*)?'
            : part === '[0-9]*'
              ? '[0-9][^/]*'
              : part === '*'
                ? '[^/]*'
                : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'),
        )
        .join('');
      out.push(new RegExp(`^${re}$`));
    }
  }
  return out;
})();

/** Does the probe script ask for this absolute path? */
export function probeCovers(path: string): boolean {
  return COVERED.some((re) => re.test(path));
}
