// The capture path's pure parts: the chunk line splitter and the log writer, against output cut into pipe
// chunks at every possible place. What a user notices: the log and the echo hold exactly the bytes written,
// line for line, wherever the pipe happened to split them.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LineSplitter, type SplitPart } from '../../app/logs/splitter';
import { LogWriter } from '../../app/logs/logwriter';
import { displayText, readLogBatches, LOG_MAGIC } from '../../app/logs';
import { OutputResults, parseResults } from '../../app/run';
import { prng } from '../helpers/prng';

const dir = mkdtempSync(join(tmpdir(), 'aio-capture-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Lines as the splitter reports them (bytes, without the newline), plus the unterminated rest. */
function linesOf(
  chunks: Buffer[],
  cap?: number,
  mode?: 'spill' | 'cut',
): { lines: Buffer[]; rest: Buffer | null } {
  const sp = new LineSplitter(cap, mode);
  const lines: Buffer[] = [];
  let open: Buffer[] | null = null;
  const take = (p: SplitPart): void => {
    if (p.kind === 'lines') {
      assert.equal(p.bytes[p.bytes.length - 1], 10, 'a lines part ends with a newline');
      let s = 0;
      for (let nl = p.bytes.indexOf(10); nl !== -1; nl = p.bytes.indexOf(10, s)) {
        lines.push(p.bytes.subarray(s, nl));
        s = nl + 1;
      }
    } else if (p.kind === 'open') open = [p.bytes];
    else {
      assert.ok(open, 'more only after open');
      open.push(p.bytes);
      if (p.end) {
        lines.push(Buffer.concat(open));
        open = null;
      }
    }
  };
  for (const c of chunks) for (const p of sp.push(c)) take(p);
  const rest = sp.end();
  return { lines, rest: open ? Buffer.concat([...(open as Buffer[]), ...(rest ? [rest] : [])]) : rest };
}

const SAMPLE = Buffer.concat([
  Buffer.from('plain\r\ncrlf line\r\n\nempty above\rprogress 10%\rprogress 100%\n'),
  Buffer.from('été ✓ 𝄞 multi-byte\n'),
  Buffer.from([0x62, 0x61, 0x64, 0xff, 0xc3, 0x0a]),
  Buffer.from('\x1b[31mred\x1b[0m\nlast without newline'),
]);
const EXPECTED = SAMPLE.toString('latin1').split('\n');

describe('line splitter', () => {
  test('one chunk: lines split on \\n only, CRs and invalid bytes kept, the unterminated rest returned', () => {
    const { lines, rest } = linesOf([SAMPLE]);
    assert.deepEqual(
      lines.map((l) => l.toString('latin1')),
      EXPECTED.slice(0, -1),
    );
    assert.equal(rest?.toString(), 'last without newline');
    assert.equal(lines[0]!.toString(), 'plain\r');
  });

  test('cut into two chunks at every byte: the same lines', () => {
    for (let i = 0; i <= SAMPLE.length; i++) {
      const { lines, rest } = linesOf([SAMPLE.subarray(0, i), SAMPLE.subarray(i)]);
      assert.deepEqual(
        [...lines.map((l) => l.toString('latin1')), rest?.toString('latin1')],
        EXPECTED,
        `cut at ${i}`,
      );
    }
  });

  test('one byte per chunk: multi-byte characters split across chunks come out whole', () => {
    const { lines } = linesOf([...SAMPLE].map((b) => Buffer.from([b])));
    assert.equal(lines[4]!.toString('utf8'), 'été ✓ 𝄞 multi-byte');
    assert.deepEqual(lines[5], Buffer.from([0x62, 0x61, 0x64, 0xff, 0xc3]));
  });

  test('a chunk of complete lines is handed on as it came, not copied', () => {
    const chunk = Buffer.from('a\nb\nc\n');
    const parts = new LineSplitter().push(chunk);
    assert.equal(parts.length, 1);
    assert.equal(parts[0]!.bytes.buffer, chunk.buffer);
  });

  test('a line past the cap is handed out as it comes (spill), then the next lines as usual', () => {
    const sp = new LineSplitter(8, 'spill');
    assert.deepEqual(sp.push(Buffer.from('ok\n0123')), [{ kind: 'lines', bytes: Buffer.from('ok\n') }]);
    assert.deepEqual(sp.push(Buffer.from('4567')), [{ kind: 'open', bytes: Buffer.from('01234567') }]);
    assert.equal(sp.pending, 0, 'nothing held once spilled');
    assert.deepEqual(sp.push(Buffer.from('89')), [{ kind: 'more', bytes: Buffer.from('89'), end: false }]);
    assert.deepEqual(sp.push(Buffer.from('x\nnext\n')), [
      { kind: 'more', bytes: Buffer.from('x'), end: true },
      { kind: 'lines', bytes: Buffer.from('next\n') },
    ]);
    assert.equal(sp.end(), null);
  });

  test('spilled over many chunks, the line comes out whole', () => {
    const long = Buffer.alloc(1000, 'z');
    const text = Buffer.concat([long, Buffer.from('\nafter\n')]);
    const chunks = [];
    for (let i = 0; i < text.length; i += 7) chunks.push(text.subarray(i, i + 7));
    const { lines } = linesOf(chunks, 64, 'spill');
    assert.deepEqual(lines, [long, Buffer.from('after')]);
  });

  test('interrupted by the other stream, what follows is a new line, held as usual', () => {
    const sp = new LineSplitter(4, 'spill');
    assert.equal(sp.push(Buffer.from('abcdef'))[0]!.kind, 'open');
    sp.interrupt();
    assert.deepEqual(sp.push(Buffer.from('gh')), []);
    assert.deepEqual(sp.push(Buffer.from('\n')), [{ kind: 'lines', bytes: Buffer.from('gh\n') }]);
  });

  test("'cut' mode ends an over-long line there, as a line of its own", () => {
    const { lines, rest } = linesOf([Buffer.from('x\n0123456789'), Buffer.from('ab\n')], 8, 'cut');
    assert.deepEqual(
      lines.map((l) => l.toString()),
      ['x', '0123456789', 'ab'],
    );
    assert.equal(rest, null);
  });
});

describe('log writer', () => {
  test('lines of any length get their prefix in one write; the file reads back byte for byte', async () => {
    const path = join(dir, 'w.log');
    const w = new LogWriter(path);
    assert.ok(w.start());
    // Short lines take the byte loop, long ones (over 128 bytes) the native copy: both must give the same.
    const long = 'L'.repeat(300);
    assert.equal(w.lines('stdout', 5, Buffer.from(`a\n\n${long}\nb\r\n`)), 4);
    assert.equal(w.lines('stderr', 12, Buffer.from('err\n')), 1);
    assert.ok(w.unterminated('stdout', 20, Buffer.from('tail')));
    w.close();
    assert.equal(w.records, 6);
    const file = readFileSync(path, 'utf8');
    assert.ok(file.startsWith(LOG_MAGIC));
    assert.equal(
      file.slice(file.indexOf('\n') + 1),
      `5\tO\ta\n5\tO\t\n5\tO\t${long}\n5\tO\tb\r\n12\tE\terr\n20\to\ttail\n`,
    );
    const recs = [];
    for await (const b of readLogBatches(path)) recs.push(...b);
    assert.deepEqual(
      recs.map((r) => [r.stream, r.raw.toString(), r.newline]),
      [
        ['stdout', 'a', true],
        ['stdout', '', true],
        ['stdout', long, true],
        ['stdout', 'b\r', true],
        ['stderr', 'err', true],
        ['stdout', 'tail', false],
      ],
    );
  });

  test('an open record interrupted by the other stream is marked continued (o)', () => {
    const path = join(dir, 'open.log');
    const w = new LogWriter(path);
    w.start();
    const closed: string[] = [];
    w.closed = (r) => closed.push(`${r.stream}:${r.head.toString()}`);
    assert.ok(w.openLine('stdout', 1, Buffer.from('huge')));
    assert.ok(w.more(Buffer.from('-more')));
    assert.equal(w.lines('stderr', 2, Buffer.from('between\n')), 1);
    w.close();
    const file = readFileSync(path, 'utf8');
    assert.equal(file.slice(file.indexOf('\n') + 1), '1\to\thuge-more\n2\tE\tbetween\n');
    assert.deepEqual(closed, ['stdout:huge']);
    assert.equal(w.records, 2);
  });
});

describe('results from raw output chunks', () => {
  const noise = (n: number) =>
    Array.from({ length: n }, (_, i) => `pass ${i}: latency 12.${i % 97} ms step ${i}`).join('\n');
  const OUTPUTS: Record<string, string> = {
    'AML report after noise': `${noise(3000)}
  LATENCY
      mean                 12.35 [ms]
      median               12.00 [ms]
      p90                  13.50 [ms]

  THROUGHPUT
      observed           1296.12 [samples/s]
      inverted              0.77 [ms]

  Performance results above are based on 120 pass(es) through the network.
  9 warm-up runs have not been considered.
FAIL: one check
CAUTION: careful
`,
    'pre-2023 table, indented with a no-break space': `${noise(500)}
                               mean  /      median  / 90th-percentile
\u00a0Latency           [ms]:      12.34  /       12.00  /       13.50
 Throughput [samples/s]:      81.03  /       83.33  /       74.07
`,
    'generic lines, late and coloured': `${noise(2000)}\nsome model latency (p50) = 8.5 ms\n\x1b[1mthroughput\x1b[0m: 99 ips\n`,
    'a header after a progress bar redraw, last line unterminated': `${noise(100)}\nbar 10%\rLATENCY\n  mean 3.0 [ms]\n\nlatency: 4 ms`,
    'Latency split by an escape': `${noise(10)}\nLat\x1b[0mency: 7 ms\n`,
    'nothing but numbers': Array.from({ length: 5000 }, (_, i) => String(i)).join('\n') + '\n',
  };

  for (const [name, text] of Object.entries(OUTPUTS)) {
    test(`${name}: the same results as line by line, however the pipe cut it`, () => {
      // As the live view fed the parser before: each line's display text (a progress bar's last redraw).
      const want = parseResults(text.split('\n').map(displayText));
      const bytes = Buffer.from(text);
      const rand = prng(bytes.length);
      for (const cut of ['whole', 'random', 'small'] as const) {
        const o = new OutputResults();
        for (let i = 0; i < bytes.length;) {
          const n =
            cut === 'whole' ? bytes.length : cut === 'small' ? 1 + (i % 7) : 1 + Math.floor(rand() * 5000);
          o.push('stdout', bytes.subarray(i, i + n));
          i += n;
        }
        assert.deepEqual(o.result(), want, `${cut} chunks`);
      }
    });
  }
});
