// The Llama-family models of bench:models and bench:train at their real dimensions (random init): the layouts of
// SmolLM2-135M (llama) and Qwen2.5-0.5B (qwen2), as their config.json files give them. The benches tokenize with
// GPT-2's tokenizer (no other offline); SmolLM2's vocabulary is smaller, so ids are folded into it (`id % vocab`):
// the lengths, which set the cost, stay GPT-2's. bench/trl-reference.py builds the same two models.
export const LLAMA_LAYOUTS: Record<string, Record<string, unknown>> = {
  "smollm2-135m": { model_type: "llama", vocab_size: 49152, hidden_size: 576, intermediate_size: 1536, num_hidden_layers: 30,
    num_attention_heads: 9, num_key_value_heads: 3, max_position_embeddings: 8192, rms_norm_eps: 1e-5, rope_theta: 100000,
    tie_word_embeddings: true, initializer_range: 0.041666666666666664, pad_token_id: 2, bos_token_id: 1, eos_token_id: 2 },
  "qwen2.5-0.5b": { model_type: "qwen2", vocab_size: 151936, hidden_size: 896, intermediate_size: 4864, num_hidden_layers: 24,
    num_attention_heads: 14, num_key_value_heads: 2, max_position_embeddings: 32768, rms_norm_eps: 1e-6, rope_theta: 1000000,
    tie_word_embeddings: true, initializer_range: 0.02, pad_token_id: 50256, bos_token_id: 50256, eos_token_id: 50256 },
};

/** A GPT-2 token id folded into a model's vocabulary. */
export const foldId = (id: number, vocab: number): number => id % vocab;
