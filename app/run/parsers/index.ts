/** The runtime parsers, in the order their results are preferred when an output has several formats. */
import { LlamaBenchParser } from './llamabench';
import { LlamaCppParser } from './llamacpp';
import { OnnxRuntimeParser } from './onnxruntime';
import { OpenVinoParser } from './openvino';
import type { RuntimeParser } from './types';

export type { RuntimeParser, RuntimeResult, RuntimeFormat, RuntimeLatency } from './types';
export type { LlamaBenchTest } from './llamabench';

export function runtimeParsers(): RuntimeParser[] {
  return [new OpenVinoParser(), new OnnxRuntimeParser(), new LlamaBenchParser(), new LlamaCppParser()];
}

/** Every word a runtime parser's lines carry (lower case), for the live parser's line skipping. */
export const RUNTIME_WORDS: readonly string[] = [...new Set(runtimeParsers().flatMap((p) => p.words))];
