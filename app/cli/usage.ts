/**
 * Usage text of `aio-tuner` and of each subcommand (`aio-tuner SUB --help`). Every flag a subcommand's option
 * table accepts is listed here; test/unit/command-cli.test.ts holds the two side by side.
 */
import { VERSION } from '../version';

const SOURCE = `Where the machine comes from (default: this machine):
  --sysroot DIR        a saved root (sys/devices/system/…, proc/…) read like /, or an archive of one:
                       an aio-tuner dump .tar.gz or a support bundle
  --from FILE          imported output of lscpu, lscpu -e, lscpu -p, lscpu -J, numactl -H or lstopo (XML)
  --target URL         ssh://user@host[:port], docker://container, ssh://user@host/docker/container
                       (your ~/.ssh/config, keys and agent; never a password prompt;
                       another ssh config file: ssh://user@host?config=/home/me/lab.ssh_config)`;

const SELECTION = `Selection (one of; none = no binding, the engine takes its first cores):
  --cores LIST         these CPUs, in this order: 0-15,64-79 (also 0 1 2, 0-15:2)
                       or a likwid-pin / hwloc-calc expression: M1:0-3, S0:0-3@S1:0-3, E:N:8:1:2,
                       M:scatter, node:1.core:all, core:0-7.pu:0 (README: Selection expressions)
  --first N            the first N physical cores, one thread each (the engine's own default)
  --node K             every physical core of NUMA node K, one thread each
  --node K --count N   the first N physical cores of node K
  --spread N           N physical cores spread evenly over the NUMA nodes (remainder to the lowest ids)
  --core-type NAME     every physical core of one core type (big.LITTLE, P/E cores), one thread each:
                       fastest, slowest, or a type's name or a word of it (Cortex-X3, X3, P-core)
  --core-type NAME --count N
                       the first N physical cores of that type
  Asking for more cores than are usable is a usage error (exit 2), never a smaller selection.`;

const SETTINGS = `Settings:
  --threads N          pin AIO_NUM_THREADS = OMP_NUM_THREADS (default: one per selected CPU)
  --mem bind|preferred|interleave|local|none
                       numactl memory policy (default bind)
  --mem-nodes LIST     nodes for bind/preferred/interleave (default: the nodes of the selected CPUs)
  --debug 0-4          AIO_DEBUG_MODE
  --set NAME=VALUE     set any variable (repeatable)
  --unset NAME         remove a variable from the inherited environment (repeatable)
  --cwd DIR            working directory of the workload
  --engine aio|onednn  which stack the variables are for (default aio): onednn = stock PyTorch with
                       oneDNN, sets OMP_NUM_THREADS/OMP_PLACES/OMP_PROC_BIND and no AIO_* variable`;

const BASE = `Start from (flags given as well override their part):
  --profile NAME       settings saved in the app or with \`aio-tuner profiles save\`
  --import 'CMDLINE'   a pasted command line (VAR=… env export numactl taskset …) read back into settings`;

const CHECK = `  --check              print every finding (code, severity, message) on stderr; exit 3 when one is an error
                       (judged where runs go: with --target, numactl and the CPUs are the target's)`;

const GATES = `  --gate EXPR          fail (exit 4) unless EXPR holds once the run succeeded (repeatable): METRIC OP VALUE,
                       METRIC latency.mean|median|p90|p99|p99.9 (ms), throughput, passes, warmups,
                       samples, latencyStats.meanMs|medianMs|p90Ms|cv, throughputStats.value|cv,
                       tokensPerSecond, promptTokensPerSecond, ttftMs, msPerToken;
                       OP <, <=, >, >=; VALUE a number or baseline*F (e.g. 'latency.p90<12')
  --baseline RUNID     the saved run baseline*F compares with (its runId in run --json)`;

const RUN_FORMATS = 'bash | script | docker-run | docker-exec | env | json';
const FORMATS = `${RUN_FORMATS} | taskset | docker-cpuset | systemd-run | run_cpu | omp | slurm`;

const WORKLOAD = 'WORKLOAD [ARGS...]';

export const USAGE: Record<string, string> = {
  doctor: `Usage: aio-tuner doctor [--sysroot DIR | --target URL] [--python PATH] [--json]
                       [--profile NAME | --import 'CMDLINE'] [selection] [settings] [-- ${WORKLOAD}]

Check the machine settings that decide a result (page size, transparent huge pages, NUMA balancing,
governor, swap, node memory, allowed CPUs, numactl, perf, inherited thread variables, the engine) and
print each problem with what was read and the command that fixes it. Given a run (selection, settings
or a workload), its CPUs and nodes are judged and its exact numactl binding is dry-run.
Exit 0; 3 when a finding is an error; 1 when the target cannot be reached; 2 for bad usage.
  --sysroot DIR        a saved root read like / (checks that need a live machine are skipped)
  --target URL         ssh://user@host[:port], docker://container, ssh://user@host/docker/container
  --python PATH        the interpreter that runs the workload (engine-absent, torch-version); default:
                       the workload's own, when one is given
  --json               the report: {"source", "checkedAt", "checks": [finding…], "passed", "skipped"}

${BASE}

${SELECTION}

${SETTINGS}`,

  topology: `Usage: aio-tuner topology [--sysroot DIR | --from FILE | --target URL] [--format F | --json]

Print the machine: packages, NUMA nodes with memory, cores, SMT siblings, caches, unavailable CPUs.
  --format F           text (default), json or xml (hwloc XML, which lstopo reads and draws)
  --json               the full model, same as --format json (fields: README, "topology --json")

${SOURCE}`,

  dump: `Usage: aio-tuner dump [--out FILE.tar.gz|DIR] [--sysroot DIR|ARCHIVE | --target URL] [--json]

Write exactly the /sys and /proc files AIO Tuner reads (topology, doctor, load), with their paths, plus
uname (uname.txt) and this version (aio-tuner-dump.json): support replays the machine's map with
aio-tuner topology --sysroot FILE.tar.gz. Exit 0; 1 when the machine cannot be read or the dump cannot be
written; 2 for bad usage.
  --out FILE.tar.gz|DIR  an archive, or a directory (new or empty) holding the tree; default:
                       $AIO_TUNER_HOME/dumps/aio-tuner-dump-<host>-<time>.tar.gz
  --sysroot DIR|ARCHIVE  dump a saved root, a dump or a bundle again (default: this machine)
  --target URL         ssh://user@host[:port], docker://container, ssh://user@host/docker/container
  --json               {"path", "sizeBytes", "files", "source"}`,

  serve: `Usage: aio-tuner serve [--sysroot DIR | --from FILE | --target URL] [--host H] [--port N]

Serve the app to a browser (browser mode) and print its URL with the access token.
  --host H             address to listen on (default 127.0.0.1; anything else warns)
  --port N             port (default 8765; 0 = any free port)

${SOURCE}`,

  command: `Usage: aio-tuner command [source] [--profile NAME | --import 'CMDLINE'] [selection] [settings]
                        [--format F] [--container NAME] [--check] -- ${WORKLOAD}

Print the numactl + AIO_* command line for the settings (the workload comes from the profile or the
imported line when none is given after --).
  --format F           ${FORMATS} (default bash)
  --container NAME     container name used by the docker-exec form
${CHECK}

${SOURCE}

${BASE}

${SELECTION}

${SETTINGS}`,

  run: `Usage: aio-tuner run [--sysroot DIR | --from FILE | --target URL] [--profile NAME | --import 'CMDLINE']
                    [selection] [settings] [--check] [--format F] [--container NAME]
                    [--log FILE] [--json] [--quiet] [--timeout S] [--gate EXPR]... [--baseline RUNID]
                    -- ${WORKLOAD}

Run the workload with the settings, streaming its output; exit with its code (128+n for signal n,
127 when it cannot start), else 4 when a --gate failed.
  --log FILE           also keep the log here (it is always kept under the data directory)
  --json               print the outcome and parsed results as JSON on stdout (workload output → stderr)
  --quiet              do not echo the workload's output
  --timeout S          stop the run after S seconds
${GATES}
${CHECK}; nothing is started then
  --format F           print the command in this form (${RUN_FORMATS}) on stderr before starting
  --container NAME     container name used by --format docker-exec

${SOURCE}

${BASE}

${SELECTION}

${SETTINGS}`,

  bundle: `Usage: aio-tuner bundle [--sysroot DIR | --from FILE | --target URL] [selection] [settings]
                       [--out FILE|DIR] [--redact P]... [--timeout S] [--json] -- ${WORKLOAD}
       aio-tuner bundle --from-run LOG|RUNDIR [--out FILE|DIR] [--redact P]... [--json] [-- ${WORKLOAD}]

Run the settings again at AIO_DEBUG_MODE=4 (or take a saved run's log) and write one .tar.gz for support.
  --out FILE|DIR       where to write the bundle (default: <data dir>/bundles/)
  --redact P           also redact variables whose name contains P, or text matching /regex/flags
                       (repeatable; secrets-looking variables are always redacted)
  --from-run LOG       bundle a finished run's log instead of running again: its run.json (next to the
                       log) gives the command, environment, outcome and level; a plain log without one
                       needs the workload after -- to describe it
  --timeout S          stop the run after S seconds
  --json               print what was written as JSON

${SOURCE}

${SELECTION}

${SETTINGS}`,

  sweep: `Usage: aio-tuner sweep [--sysroot DIR | --from FILE | --target URL] [selection] [settings]
                      [--threads 1,2,4|doubling] [--placement compact,spread]
                      [--variants fp32,fp16,int8,int8-fc,off] [--variant NAME:VAR=VALUE,...]
                      [--instances 1,2] [--batch 1,8] [--repeat N] [--until-stable PCT]
                      [--min-difference PCT] [--timeout S] [--latency-budget MS]
                      [--metric tokensPerSecond|promptTokensPerSecond|ttftMs|msPerToken]
                      [--csv FILE] [--json] [--gate EXPR]... [--baseline RUNID] -- ${WORKLOAD}
       aio-tuner sweep --resume SWEEP_ID [--csv FILE] [--json] [--gate EXPR]... [--baseline RUNID]

Measure a grid of threads × placements × instances × variants × batch sizes, one run at a time, and
recommend.
  --threads LIST|doubling   thread counts to try (here a list, not the single run's count; default doubling)
  --placement LIST     compact and/or spread: how T CPUs are taken from the selection: fill a node
                       first (compact, the default), or an equal share per node (spread)
  --variants LIST      built-in variants to measure (default fp32)
  --variant NAME:VAR=VALUE,...  define a variant of your own (repeatable; measured even if not listed)
  --instances LIST     processes side by side (default 1)
  --batch LIST         batch sizes, written into the workload's -b/--batch_size (ignored, with a
                       warning, when the workload has none)
  --repeat N           runs per cell (1-100)
  --until-stable PCT   stop repeating a cell once its last two means agree within PCT % (at most
                       --repeat times; 10 when --repeat is not given)
  --min-difference PCT smallest difference worth recommending over (default 2): a card names one
                       setting only when it beats every other by Welch's t-test at 95 % and by more
                       than PCT %; otherwise it says which settings it is tied with
  --resume SWEEP_ID    continue an interrupted sweep: run only the points without a finished row
  --timeout S          stop each run after S seconds
  --latency-budget MS  also recommend the best per-core setting within this latency
  --metric NAME        also rank by an LLM metric the runs print (llama-bench, llama.cpp timing
                       lines): highest tokensPerSecond / promptTokensPerSecond, lowest ttftMs /
                       msPerToken; same repeats, intervals and test as latency
  --csv FILE           also write the rows as CSV
  --json               print the result as JSON
${GATES}
                       (latency gates read the best-latency configuration, throughput gates the
                       best-throughput one; exit 4 when a gate fails)

${SOURCE}

${SELECTION}

${SETTINGS}`,

  profiles: `Usage: aio-tuner profiles [list] [--json]
       aio-tuner profiles save NAME [source] [--profile NAME | --import 'CMDLINE'] [selection] [settings]
                               [-- ${WORKLOAD}]
       aio-tuner profiles export [NAME...] [--out FILE]
       aio-tuner profiles import FILE [--on-conflict rename|overwrite|skip] [--json]
       aio-tuner profiles delete NAME...

Named run settings, the same ones the app saves (under the data directory: AIO_TUNER_HOME, else the
platform's user data directory). A corrupt file is reported and moved aside as NAME.json.corrupt-TIME.
  list                 names and save times (--json: [{"name", "savedAt"} | {"name", "error", "movedTo"}])
  save NAME            save the settings the flags describe (replacing a profile of that name); the
                       workload after -- is required unless --profile or --import provides one
  export               write the named profiles (all when none is named) as one JSON file, or to stdout
  --out FILE           where export writes
  import FILE          add the profiles of an exported file or a single profile file
  --on-conflict        when a name is taken: rename to "NAME (2)" (default), overwrite, or skip
  --json               list / import: print JSON on stdout
  delete NAME...       remove profiles

${SOURCE}

${BASE}

${SELECTION}

${SETTINGS}`,
};

USAGE.ops = `Usage: aio-tuner ops MODEL.pt [--input-shape 1,3,224,224]... [--python PATH] [--json]

Which ops of a TorchScript model Ampere's engine accelerates at FP32, FP16 explicit, FP16 implicit and
INT8 implicit, by the user guide's op table: the model is loaded with the interpreter, frozen, and its
graph's ops counted; given input shapes it is also profiled (random inputs, plain PyTorch) and each op
weighed by its time. Exit 0; 1 when the model cannot be loaded or run; 2 for bad usage.
  --input-shape DIMS[:TYPE]
                       an input of this shape, e.g. 1,3,224,224 (repeat for each input, in order);
                       TYPE float32 (default), float16, bfloat16, int64, int32 or bool: ids 1,128:int64
  --python PATH        the interpreter to load the model with (default: the first with PyTorch of
                       python3, /usr/bin/python3, /usr/local/bin/python3, python)
  --json               {"ops": [{"kind", "table", "count", "timeMs", "accelerated"}…], "coverage": {…}, …}`;

export const HELP = `aio-tuner ${VERSION} — pick cores, build numactl + AIO_* command lines, run and tune Ampere Optimized PyTorch

Usage:
  aio-tuner topology [--sysroot DIR | --from FILE] [--format text|json|xml | --json]
  aio-tuner serve    [--sysroot DIR | --from FILE] [--host H] [--port N]
  aio-tuner command  [--sysroot DIR | --from FILE] [--profile NAME | --import 'CMDLINE'] [selection] [settings]
                     [--format F] [--container NAME] [--check] -- WORKLOAD [ARGS...]
  aio-tuner run      [--sysroot DIR | --from FILE] [--profile NAME | --import 'CMDLINE'] [selection] [settings]
                     [--check] [--format F] [--log FILE] [--json] [--quiet] [--timeout S]
                     [--gate EXPR]... [--baseline RUNID] -- WORKLOAD [ARGS...]
  aio-tuner bundle   [--out FILE|DIR] [selection] [settings] [--redact P]... [--from-run LOG] [--timeout S] [--json]
                     -- WORKLOAD [ARGS...]
  aio-tuner sweep    [selection] [settings] --threads 1,2,4|doubling [--placement compact|spread]
                     [--variants fp32,fp16,int8,int8-fc,off] [--variant NAME:VAR=VALUE,...] [--instances 1,2]
                     [--batch 1,8] [--repeat N] [--timeout S] [--latency-budget MS] [--csv FILE] [--json]
                     [--gate EXPR]... [--baseline RUNID] -- WORKLOAD [ARGS...]
  aio-tuner doctor   [--sysroot DIR | --target URL] [--python PATH] [--json] [selection] [settings]
                     [-- WORKLOAD [ARGS...]]
  aio-tuner dump     [--out FILE.tar.gz|DIR] [--sysroot DIR|ARCHIVE | --target URL] [--json]
  aio-tuner profiles [list [--json] | save NAME [options] -- WORKLOAD | export [NAME...] [--out FILE]
                     | import FILE | delete NAME...]
  aio-tuner ops      MODEL.pt [--input-shape 1,3,224,224]... [--python PATH] [--json]
  aio-tuner SUBCOMMAND --help     that subcommand's options

Selection: --cores LIST | --first N | --node K [--count N] | --spread N | --core-type NAME [--count N]
Settings:  --threads N  --mem bind|preferred|interleave|local|none  --mem-nodes LIST  --debug 0-4
           --set NAME=VALUE (repeatable)  --unset NAME (repeatable)  --cwd DIR  --engine aio|onednn
Formats:   ${FORMATS}
Target:    --target URL on every command: read, run and bundle there instead of this machine —
           ssh://user@host[:port]  docker://container  ssh://user@host/docker/container
           (your ~/.ssh/config, keys and agent; never a password prompt;
           another ssh config file: ssh://user@host?config=/home/me/lab.ssh_config)

Exit codes: 0 ok; 1 runtime failure; 2 bad usage; 3 --check (or doctor) found an error; 4 a --gate failed;
run: the workload's own code when it failed.
See README.md for the JSON fields.`;

/** `--help` / `-h` among the options (before `--`, where the workload's own arguments start). */
export function wantsHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  const opts = end < 0 ? argv : argv.slice(0, end);
  return opts.includes('--help') || opts.includes('-h');
}
