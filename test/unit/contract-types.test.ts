// The contract types the engine: every handler takes exactly what its zod schema produces. The checks are
// compile-time (`npm run typecheck` covers test/): a handler annotated with a wider type, or with a field its
// schema never produces, fails tsc here and names the method.
import type { Engine } from '../../app/api/engine';
import type { ApiHandlers, ApiMethod, ApiParamsOut } from '../../app/api/contract';

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
