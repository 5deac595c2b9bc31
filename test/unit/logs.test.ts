import { test, describe, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  LineClassifier,
  LogIndex,
  SearchPatternError,
  SearchTimeoutError,
  classifyLine,
  displayText,
  levelsForDebugMode,
  logHeader,
  readLogFile,
  stripAnsi,
  type Level,
} from '../../app/logs';

const dir = mkdtempSync(join(tmpdir(), 'aio-logs-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('stripAnsi / displayText', () => {
  test('AML red FAIL/CAUTION wrappers', () => {
    assert.equal(stripAnsi('\x1b[91mFAIL: x\x1b[0m'), 'FAIL: x');
    assert.equal(stripAnsi('\x1b[1;31;40mA\x1b[K\x1b]0;title\x07B'), 'AB');
    assert.equal(stripAnsi('plain'), 'plain');
  });
  test('CRLF and progress bars', () => {
    assert.equal(displayText('line\r'), 'line');
    assert.equal(displayText(' 10%|#   \r 50%|#####  \r100%|##########'), '100%|##########');
  });
});

describe('classifyLine', () => {
  const cases: [string, Level][] = [
    ['FAIL: Number of intra threads to use is not set!', 'error'],
    ['RuntimeError: "addmm_impl_cpu_" not implemented for \'Half\'', 'error'],
    ['ERROR something', 'error'],
    ['error: cannot open file', 'error'],
    ['Segmentation fault (core dumped)', 'error'],
    ['Killed', 'error'],
    // A failed start, in the words of the program that could not do it.
    ["/usr/bin/python3: can't open file '/nonexistent.py': [Errno 2] No such file or directory", 'error'],
    ['bash: line 1: aio-nope: command not found', 'error'],
    ['sh: 1: ./run.sh: Permission denied', 'error'],
    ['numactl: execution of `x` failed: No such file or directory', 'error'],
    ['CAUTION: The number of threads exceeds cores', 'warning'],
    ['WARNING: something', 'warning'],
    ['/x.py:3: UserWarning: foo', 'warning'],
    ['Warning: page size is not 64k', 'warning'],
    ['libnuma: Warning: cpu argument 999 is out of range', 'warning'],
    ['Unknown DLS variable: DLS_FOO', 'warning'],
    ['Version: 1.9.0', 'info'],
    ['AIO_DEBUG_MODE:  4', 'info'],
    ['AIO_NUM_THREADS:  16', 'info'],
    ['PlatformInfo(cpu=…, L1=CacheInfo(size=65536))', 'info'],
    ['  LATENCY', 'info'],
    ['      mean                 12.35 [ms]', 'info'],
    ['[DEBUG] graph compiled', 'debug'],
    ['some debug output', 'debug'],
    ['TRACE op=conv', 'trace'],
    ['Intraop parallelism set to 16 threads', 'info'],
    ['', 'info'],
  ];
  for (const [text, level] of cases)
    test(`${JSON.stringify(text)} → ${level}`, () => assert.equal(classifyLine(text), level));

  test('traceback frames are errors through the state machine', () => {
    const c = new LineClassifier();
    const lines = [
      'Traceback (most recent call last):',
      '  File "run.py", line 3, in <module>',
      '    main()',
      'ValueError: bad value',
      'next line',
    ];
    assert.deepEqual(
      lines.map((l) => c.classify(l)),
      ['error', 'error', 'error', 'error', 'info'],
    );
  });

  test('AIO_DEBUG_MODE mapping', () => {
    assert.deepEqual(levelsForDebugMode(1), ['error']);
    assert.deepEqual(levelsForDebugMode(2), ['error', 'warning', 'info']);
    assert.deepEqual(levelsForDebugMode(null), ['error', 'warning', 'info']);
    assert.deepEqual(levelsForDebugMode(3), ['error', 'warning', 'info', 'debug']);
    assert.deepEqual(levelsForDebugMode(4), ['error', 'warning', 'info', 'debug', 'trace']);
  });
});

describe('log files', () => {
  test('readLogFile accepts a plain log (no prefixes, no final newline)', async () => {
    const f = join(dir, 'plain.log');
    writeFileSync(f, 'first\n\x1b[91mFAIL: x\x1b[0m\nlast');
    const recs = [];
    for await (const r of readLogFile(f)) recs.push(r);
    assert.deepEqual(
      recs.map((r) => [r.n, r.stream, r.t, r.text]),
      [
        [1, 'stdout', null, 'first'],
        [2, 'stdout', null, 'FAIL: x'],
        [3, 'stdout', null, 'last'],
      ],
    );
    const ix = await LogIndex.open(f);
    assert.equal(ix.format, 'plain');
    assert.equal(ix.lineCount, 3);
    assert.equal(ix.levelOf(2), 'error');
    assert.equal((await ix.getLines(3, 1))[0]?.text, 'last');
  });

  test('tuner format with both streams, times and a tab inside a line', async () => {
    const f = join(dir, 'tuner.log');
    writeFileSync(f, logHeader() + '5\tO\ta\tb\n12\tE\tWARNING: w\n');
    const recs = [];
    for await (const r of readLogFile(f)) recs.push(r);
    assert.deepEqual(
      recs.map((r) => [r.n, r.stream, r.t, r.text]),
      [
        [1, 'stdout', 5, 'a\tb'],
        [2, 'stderr', 12, 'WARNING: w'],
      ],
    );
  });

  test('LogIndex follows a growing file', async () => {
    const f = join(dir, 'grow.log');
    writeFileSync(f, logHeader() + '1\tO\tone\n2\tO\ttw');
    const ix = new LogIndex(f, { growing: true });
    assert.equal(await ix.refresh(), 1);
    appendFileSync(f, 'o\n3\tE\tTraceback (most recent call last):\n4\tE\t  File "x"\n');
    assert.equal(await ix.refresh(), 3);
    assert.deepEqual(
      (await ix.getLines(1, 10)).map((l) => [l.n, l.text, l.level, l.stream]),
      [
        [1, 'one', 'info', 'stdout'],
        [2, 'two', 'info', 'stdout'],
        [3, 'Traceback (most recent call last):', 'error', 'stderr'],
        [4, '  File "x"', 'error', 'stderr'],
      ],
    );
  });
});

describe('LogIndex over 1,000,000 lines', () => {
  const f = join(dir, 'big.log');
  let ix: LogIndex;
  before(async () => {
    // Every 1000th line is an error, every 100th (not 1000th) a warning.
    const parts: string[] = [logHeader()];
    for (let i = 1; i <= 1_000_000; i++) {
      const text = i % 1000 === 0 ? `ERROR at ${i}` : i % 100 === 0 ? `WARNING at ${i}` : `step ${i} ok`;
      parts.push(`${i}\t${i % 2 ? 'O' : 'E'}\t${text}\n`);
      if (parts.length === 100_000) {
        appendFileSync(f, parts.join(''));
        parts.length = 0;
      }
    }
    appendFileSync(f, parts.join(''));
    // How fast is bench/'s business (ratios against grep in the same run), not a timed assertion here.
    ix = await LogIndex.open(f);
  });

  test('counts', () => {
    assert.equal(ix.lineCount, 1_000_000);
    assert.deepEqual(ix.counts(), { error: 1000, warning: 9000, info: 990_000, debug: 0, trace: 0 });
  });

  test('level filter', async () => {
    const errors = await ix.filter({ levels: ['error'] });
    assert.equal(errors.length, 1000);
    assert.equal(errors[0], 1000);
    assert.equal(errors[999], 1_000_000);
    const warnErr = await ix.filter({ levels: ['error', 'warning'], streams: ['stderr'] });
    assert.equal(warnErr.length, 10_000);
  });

  test('regex filter streams the file', async () => {
    const hits = await ix.filter({ regex: 'step 4242\\d ok' });
    assert.deepEqual([...hits], [42420, 42421, 42422, 42423, 42424, 42425, 42426, 42427, 42428, 42429]);
    const ci = await ix.filter({ regex: 'error at 5000$', levels: ['error'] });
    assert.deepEqual([...ci], [5000]);
    const cs = await ix.filter({ regex: 'error at', caseSensitive: true });
    assert.equal(cs.length, 0);
  });

  test('search next / previous', async () => {
    assert.equal(await ix.search('ERROR', 0, 'next'), 1000);
    assert.equal(await ix.search('ERROR', 1000, 'next'), 2000);
    assert.equal(await ix.search('ERROR', 1500, 'prev'), 1000);
    assert.equal(await ix.search('ERROR', ix.lineCount + 1, 'prev'), 1_000_000);
    assert.equal(await ix.search('ERROR', 1000, 'prev'), null);
    assert.equal(await ix.search('no such text', 0, 'next'), null);
  });

  test('window read', async () => {
    const w = await ix.getLines(999_998, 5);
    assert.deepEqual(
      w.map((l) => [l.n, l.text, l.t, l.stream]),
      [
        [999_998, 'step 999998 ok', 999_998, 'stderr'],
        [999_999, 'step 999999 ok', 999_999, 'stdout'],
        [1_000_000, 'ERROR at 1000000', 1_000_000, 'stderr'],
      ],
    );
  });
});

describe('regex search runs off this thread, within a time budget', () => {
  // Short, so the catastrophic pattern gives up quickly (the default is 5 s).
  before(() => (process.env.AIO_TUNER_SEARCH_TIMEOUT_S = '0.5'));
  after(() => delete process.env.AIO_TUNER_SEARCH_TIMEOUT_S);
  test('a catastrophic pattern times out with a clear error while this thread keeps running', async () => {
    const f = join(dir, 'redos.log');
    // `^(a+)+$` backtracks exponentially over a run of a's that does not end the line: 2^33 steps here.
    writeFileSync(f, `${logHeader()}0\tO\thello\n1\tO\t${'a'.repeat(33)}!\n2\tO\tbye\n`);
    const ix = await LogIndex.open(f);
    // Turns of this thread's event loop while the pattern runs: none at all if it ran here.
    let turns = 0;
    const tick = setInterval(() => turns++, 5);
    try {
      await assert.rejects(
        () => ix.filter({ regex: '^(a+)+$' }),
        (e: Error) =>
          e instanceof SearchTimeoutError &&
          e.message === 'search timed out after 0.5 s; simplify the pattern',
      );
      await assert.rejects(() => ix.search('^(a+)+$', 0, 'next'), SearchTimeoutError);
    } finally {
      clearInterval(tick);
    }
    assert.ok(turns > 10, `the event loop turned ${turns} times during the searches`);
    // The worker that was ended is replaced: the next search answers.
    assert.deepEqual([...(await ix.filter({ regex: 'b.e' }))], [3]);
    assert.equal(await ix.search('hel+o', 0, 'next'), 1);
  });

  test('a pattern that is not a regular expression is a SearchPatternError', async () => {
    const f = join(dir, 'pattern.log');
    writeFileSync(f, 'one\ntwo\n');
    const ix = await LogIndex.open(f);
    await assert.rejects(
      () => ix.filter({ regex: '(unclosed' }),
      (e: Error) => e instanceof SearchPatternError && /^Invalid regular expression: /.test(e.message),
    );
  });
});
