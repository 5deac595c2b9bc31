/**
 * The LLM metrics a run's results can carry (issue 17: llama-bench, llama.cpp's timing lines), their units and
 * which way is better. Shared by the engine's parsers, sweeps' ranking and the UI's result card.
 */

/** The LLM metrics of a run's results (public names: JSON, CSV, `sweep --metric`). */
export const LLM_METRICS = ['tokensPerSecond', 'promptTokensPerSecond', 'ttftMs', 'msPerToken'] as const;
export type LlmMetricName = (typeof LLM_METRICS)[number];

/** Per metric: the standard deviation printed, and over how many repetitions (null when the tool does not say). */
export type LlmSpread = Partial<Record<LlmMetricName, { sd: number; n: number | null }>>;

/** Units of the LLM metrics, as shown. */
export const LLM_UNITS: Record<LlmMetricName, string> = {
  tokensPerSecond: 'tokens/s',
  promptTokensPerSecond: 'tokens/s',
  ttftMs: 'ms',
  msPerToken: 'ms/token',
};

/** Whether more of the metric is better (tokens/s) or less (ms). */
export const LLM_HIGHER_BETTER: Record<LlmMetricName, boolean> = {
  tokensPerSecond: true,
  promptTokensPerSecond: true,
  ttftMs: false,
  msPerToken: false,
};
