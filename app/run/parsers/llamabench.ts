/**
 * llama.cpp's llama-bench (tools/llama-bench, examples/llama-bench before 2025), in its output formats:
 * - markdown (`-o md`, the default): a table with a `test` column (`pp 512`, `tg 128`; `pp512` in newer builds,
 *   `pp512 @ d4096` with -d) and `t/s` as `2368.80 ± 93.24`;
 * - CSV (`-o csv`): a header starting `build_commit,` with `n_prompt`, `n_gen`, `avg_ts`, `stddev_ts` columns;
 * - JSON (`-o json`, an array of objects one field a line) and JSONL (`-o jsonl`, one object a line), with the same
 *   fields and `samples_ts`, each repetition's tokens/s.
 * A test with n_prompt > 0 and n_gen = 0 is prompt processing (pp), n_gen > 0 and n_prompt = 0 text generation
 * (tg); combined pp+tg tests are listed but give no headline. The ± and `stddev_ts` are the standard deviation
 * over the `-r` repetitions (5 by default): kept as the metric's spread; only JSON says how many repetitions.
 */
import { noLlm, type RuntimeParser, type RuntimeResult } from './types';

export interface LlamaBenchTest {
  /** As llama-bench names it: `pp 512`, `tg 128`, `pp512 @ d4096`… */
  test: string;
  kind: 'pp' | 'tg' | 'other';
  tokensPerSecond: number;
  sd: number | null;
  /** Repetitions behind the mean (JSON's samples_ts); null when the format does not say. */
  n: number | null;
  threads: number | null;
}

const SPLIT_CELL = /\s*\|\s*/;
const TS_CELL = /^([-+]?\d+(?:\.\d*)?)\s*(?:±|\+-|\+\/-)\s*([-+]?\d+(?:\.\d*)?)$/;
const TS_ALONE = /^([-+]?\d+(?:\.\d*)?)$/;

function kindOf(test: string): LlamaBenchTest['kind'] {
  if (/^pp\s*\d+(?:\s*@\s*d\d+)?$/.test(test)) return 'pp';
  if (/^tg\s*\d+(?:\s*@\s*d\d+)?$/.test(test)) return 'tg';
  return 'other';
}

/** One CSV line: quoted or bare cells (llama-bench quotes every value; "" is a quote inside one). */
function csvCells(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let v = '';
      i++;
      while (i < line.length) {
        if (line[i] === '"' && line[i + 1] === '"') {
          v += '"';
          i += 2;
        } else if (line[i] === '"') {
          i++;
          break;
        } else v += line[i++];
      }
      out.push(v);
      i++; // the comma
    } else {
      const end = line.indexOf(',', i);
      out.push(line.slice(i, end === -1 ? line.length : end));
      i = end === -1 ? line.length + 1 : end + 1;
    }
  }
  return out;
}

// A JSON object being read a line at a time; bounded, so a stray `"build_commit"` line cannot hold the output.
const MAX_JSON_CHARS = 1 << 16;

export class LlamaBenchParser implements RuntimeParser {
  readonly name = 'llama-bench' as const;
  readonly words = ['t/s', 'build_commit'];
  readonly tests: LlamaBenchTest[] = [];
  private md: { test: number; ts: number; threads: number } | null = null;
  private csv: string[] | null = null;
  private json: { text: string; depth: number } | null = null;

  get busy(): boolean {
    return this.md !== null || this.csv !== null || this.json !== null;
  }

  feed(line: string): boolean {
    if (this.json) return this.jsonLine(line);
    if (this.md) {
      if (line.startsWith('|')) return this.mdRow(line);
      this.md = null;
    }
    if (this.csv) {
      if (line.startsWith('"') || /^[^,\s]+(,[^,]*)+$/.test(line)) return this.csvRow(line);
      this.csv = null;
    }
    if (line.startsWith('|') && line.includes('t/s')) {
      const cells = this.cells(line);
      const test = cells.indexOf('test');
      const ts = cells.indexOf('t/s');
      if (test >= 0 && ts >= 0) {
        this.md = { test, ts, threads: cells.indexOf('threads') };
        return true;
      }
      return false;
    }
    if (line.startsWith('build_commit,') && line.includes('avg_ts')) {
      this.csv = line.split(',');
      return true;
    }
    if (line.startsWith('{') && line.includes('"avg_ts"')) {
      // JSONL: a whole object on the line.
      this.json = { text: '', depth: 0 };
      return this.jsonLine(line);
    }
    if (line.startsWith('"build_commit"')) {
      // JSON: the object's `{` was on the line before.
      this.json = { text: '{', depth: 1 };
      return this.jsonLine(line);
    }
    return false;
  }

  private cells(line: string): string[] {
    return line
      .replace(/^\|/, '')
      .replace(/\|+$/, '')
      .split(SPLIT_CELL)
      .map((c) => c.trim());
  }

  private mdRow(line: string): boolean {
    const md = this.md!;
    if (/^\|\s*:?-{3,}/.test(line)) return true;
    const cells = this.cells(line);
    const test = cells[md.test];
    const ts = cells[md.ts];
    if (test === undefined || ts === undefined) return true;
    const m = TS_CELL.exec(ts) ?? TS_ALONE.exec(ts);
    if (!m) return true;
    const threads = md.threads >= 0 ? Number(cells[md.threads]) : NaN;
    this.tests.push({
      test,
      kind: kindOf(test),
      tokensPerSecond: Number(m[1]),
      sd: m[2] !== undefined ? Number(m[2]) : null,
      n: null,
      threads: Number.isFinite(threads) ? threads : null,
    });
    return true;
  }

  private csvRow(line: string): boolean {
    const head = this.csv!;
    const cells = csvCells(line);
    // llama-bench's README sample has one value more than its header: the measured columns end every version's
    // line (…, avg_ns, stddev_ns, avg_ts, stddev_ts), so a row of another length is read from its end.
    const shift = cells.length - head.length;
    const get = (k: string): string | undefined => {
      const i = head.indexOf(k);
      return i < 0 ? undefined : cells[i + shift];
    };
    this.record(
      Number(get('n_prompt')),
      Number(get('n_gen')),
      Number(get('avg_ts')),
      get('stddev_ts'),
      null,
      get('n_threads'),
    );
    return true;
  }

  private jsonLine(line: string): boolean {
    const j = this.json!;
    j.text += (j.text ? '\n' : '') + line;
    let inStr = false;
    for (let i = 0; i < line.length; i++) {
      const c = line[i];
      if (inStr) {
        if (c === '\\') i++;
        else if (c === '"') inStr = false;
      } else if (c === '"') inStr = true;
      else if (c === '{' || c === '[') j.depth++;
      else if (c === '}' || c === ']') j.depth--;
    }
    if (j.depth <= 0) {
      this.json = null;
      let o: Record<string, unknown> | null;
      try {
        o = JSON.parse(j.text.replace(/,\s*$/, '')) as Record<string, unknown>;
      } catch {
        return true; // not llama-bench's after all
      }
      if (o && typeof o === 'object' && typeof o.avg_ts === 'number')
        this.record(
          Number(o.n_prompt),
          Number(o.n_gen),
          o.avg_ts,
          o.stddev_ts,
          Array.isArray(o.samples_ts) ? o.samples_ts.length : null,
          o.n_threads,
        );
    } else if (j.text.length > MAX_JSON_CHARS) this.json = null;
    return true;
  }

  private record(
    nPrompt: number,
    nGen: number,
    avg: number,
    sd: unknown,
    n: number | null,
    threads: unknown,
  ): void {
    if (!Number.isFinite(avg)) return;
    const kind = nPrompt > 0 && nGen === 0 ? 'pp' : nGen > 0 && nPrompt === 0 ? 'tg' : 'other';
    const test =
      kind === 'pp' ? `pp ${nPrompt}` : kind === 'tg' ? `tg ${nGen}` : `pp ${nPrompt} + tg ${nGen}`;
    const sdv = Number(sd);
    const th = Number(threads);
    this.tests.push({
      test,
      kind,
      tokensPerSecond: avg,
      sd: sd !== undefined && sd !== null && sd !== '' && Number.isFinite(sdv) ? sdv : null,
      n,
      threads: threads !== undefined && threads !== null && Number.isFinite(th) ? th : null,
    });
  }

  result(): RuntimeResult | null {
    if (this.tests.length === 0) return null;
    const tg = this.tests.find((t) => t.kind === 'tg');
    const pp = this.tests.find((t) => t.kind === 'pp');
    const llm = noLlm();
    const spread: RuntimeResult['spread'] = {};
    if (tg) {
      llm.tokensPerSecond = tg.tokensPerSecond;
      if (tg.sd !== null) spread.tokensPerSecond = { sd: tg.sd, n: tg.n };
    }
    if (pp) {
      llm.promptTokensPerSecond = pp.tokensPerSecond;
      if (pp.sd !== null) spread.promptTokensPerSecond = { sd: pp.sd, n: pp.n };
    }
    const head = tg ?? pp;
    return {
      source: 'llama-bench',
      latencyMs: null,
      throughput: head ? { value: head.tokensPerSecond, unit: 'tokens/s' } : null,
      llm,
      spread,
      runtime: {
        name: 'llama-bench',
        nthreads: (head ?? this.tests[0]!).threads,
        tests: this.tests.map((t) => ({ ...t })),
      },
    };
  }
}
