// The contract types the engine: every handler takes exactly what its zod schema produces. The checks at the top
// are compile-time (`npm run typecheck` covers test/): a handler annotated with a wider type, or with a field its
// schema never produces, fails tsc here and names the method. The tests below are the reply both fronts send.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../app/api/engine';
import {
  ApiError,
  replyTo,
  type ApiHandlers,
  type ApiMethod,
  type ApiParamsOut,
  type ProfileEntry,
} from '../../app/api/contract';
import { defaultSettings } from '../../app/command';

/** True when A and B are the same type (not merely assignable either way). */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

/** Methods whose handler takes something other than its schema's output (a handler taking nothing is fine). */
type Drifted<H> = {
  [M in keyof H]: M extends ApiMethod
    ? H[M] extends (...args: infer A) => unknown
      ? A extends []
        ? never
        : Same<A, [ApiParamsOut<M>]> extends true
          ? never
          : M
      : M
    : M;
}[keyof H];
type NoDrift<H> = [Drifted<H>] extends [never]
  ? true
  : `parameter type drifted from the schema: ${Drifted<H> & string}`;

type Stub<P> = (p: P) => Promise<never>;

// The engine's own table. On drift tsc says: Type 'true' is not assignable to type '"parameter type drifted from
// the schema: command.parse"'.
const _engineHandlersMatch: NoDrift<Engine['handlers']> = true;

// The check itself: an exact parameter and no parameter pass…
const _exact: NoDrift<{
  'command.parse': Stub<ApiParamsOut<'command.parse'>>;
  'system.info': () => Promise<never>;
}> = true;
// …an optional field the schema never produces is refused (`satisfies ApiHandlers` alone lets it through)…
// @ts-expect-error 'command.parse' drifted
const _extraField: NoDrift<{ 'command.parse': Stub<{ text: string; strict?: boolean }> }> = true;
// …and so is a type wider than the schema's (cpus.preset's handler declared any string, unknown ones as Clear).
// @ts-expect-error 'cpus.preset' drifted
const _wider: NoDrift<{ 'cpus.preset': Stub<{ preset: string; count?: number; node?: number }> }> = true;
// A required field the schema never produces fails the handler table's type itself.
const _required: Pick<ApiHandlers, 'command.parse'> = {
  // @ts-expect-error 'strict' is never produced by the schema
  'command.parse': async (p: { text: string; strict: boolean }) => {
    throw new Error(`${p.text} ${p.strict}`);
  },
};

function withEngine(fn: (e: Engine) => Promise<void>): () => Promise<void> {
  return async () => {
    const home = mkdtempSync(join(tmpdir(), 'aio-contract-'));
    const e = new Engine({ shell: 'browser', dataDir: home });
    try {
      await fn(e);
    } finally {
      await e.dispose();
      rmSync(home, { recursive: true, force: true });
    }
  };
}

test(
  'a request is answered with its result, or with the message and code the UI shows',
  withEngine(async (e) => {
    const saved = await replyTo(() =>
      e.handle('profiles.save', { name: 'fast', settings: { ...defaultSettings(), memPolicy: 'none' } }),
    );
    assert.equal(saved.ok && (saved.result as ProfileEntry).name, 'fast');

    assert.deepEqual(await replyTo(() => e.handle('cpus.preset', { preset: 'first', count: 0 })), {
      ok: false,
      error: {
        message: 'invalid cpus.preset request: count: Too small: expected number to be >=1',
        code: 'bad-request',
      },
    });
    assert.deepEqual(await replyTo(() => e.handle('runs.purge', {})), {
      ok: false,
      error: { message: 'unknown method "runs.purge"', code: 'unknown-method' },
    });
  }),
);

test('an ApiError keeps its code, anything else thrown is "failed", and replyTo never throws', async () => {
  assert.deepEqual(
    await replyTo(async () => {
      throw new ApiError('a run is going', 'busy');
    }),
    { ok: false, error: { message: 'a run is going', code: 'busy' } },
  );
  assert.deepEqual(
    await replyTo(async () => {
      throw new Error('ENOSPC: no space left on device');
    }),
    { ok: false, error: { message: 'ENOSPC: no space left on device', code: 'failed' } },
  );
  assert.deepEqual(await replyTo(() => Promise.reject('plain string')), {
    ok: false,
    error: { message: 'plain string', code: 'failed' },
  });
  assert.deepEqual(await replyTo(() => Promise.reject(null)), {
    ok: false,
    error: { message: 'null', code: 'failed' },
  });
});
