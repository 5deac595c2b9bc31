/**
 * llama.cpp's timing lines, printed by llama-cli / main at exit (`llama_print_timings:` until mid-2024,
 * `llama_perf_context_print:` since) and by llama-server after each request (`print_timing`, the lines bare):
 *   prompt eval time =   88.24 ms /     9 tokens (    9.80 ms per token,   102.00 tokens per second)
 *          eval time = 2226.40 ms /   127 runs   (   17.53 ms per token,    57.04 tokens per second)
 * `sample time` / `sampling time` lines are the sampler's, not the model's: not read. When several requests
 * print their timings (a server), the last complete pair is the result and `runtime.requests` says how many.
 * ttftMs is the prompt eval time: the prompt is processed before the first token is sampled.
 */
import { noLlm, NUM_RE, type RuntimeParser, type RuntimeResult } from './types';

const EVAL_RE = new RegExp(
  String.raw`(?:^|[\s:|\]])(prompt eval|eval) time\s*=\s*${NUM_RE}\s*ms\s*/\s*(\d+)\s*(?:tokens|runs)\s*\(\s*${NUM_RE}\s*ms per token,\s*${NUM_RE}\s*tokens per second\s*\)`,
  'i',
);

interface Timing {
  totalMs: number;
  tokens: number;
  msPerToken: number;
  tokensPerSecond: number;
}

export class LlamaCppParser implements RuntimeParser {
  readonly name = 'llama-cpp' as const;
  readonly words = ['eval time'];
  readonly busy = false;
  private prompt: Timing | null = null;
  private gen: Timing | null = null;
  private requests = 0;

  feed(line: string): boolean {
    const m = EVAL_RE.exec(line);
    if (!m) return false;
    const t: Timing = {
      totalMs: Number(m[2]),
      tokens: Number(m[3]),
      msPerToken: Number(m[4]),
      tokensPerSecond: Number(m[5]),
    };
    if (m[1]!.toLowerCase() === 'prompt eval') {
      this.prompt = t;
      this.requests++;
    } else this.gen = t;
    return true;
  }

  result(): RuntimeResult | null {
    if (!this.prompt && !this.gen) return null;
    const llm = noLlm();
    if (this.gen) {
      llm.tokensPerSecond = this.gen.tokensPerSecond;
      llm.msPerToken = this.gen.msPerToken;
    }
    if (this.prompt) {
      llm.promptTokensPerSecond = this.prompt.tokensPerSecond;
      llm.ttftMs = this.prompt.totalMs;
    }
    const head = this.gen ?? this.prompt!;
    return {
      source: 'llama-cpp',
      latencyMs: null,
      throughput: { value: head.tokensPerSecond, unit: 'tokens/s' },
      llm,
      spread: {},
      runtime: {
        name: 'llama-cpp',
        ...(this.prompt ? { promptTokens: this.prompt.tokens } : {}),
        ...(this.gen ? { generatedTokens: this.gen.tokens } : {}),
        ...(this.requests > 1 ? { requests: this.requests } : {}),
      },
    };
  }
}
