import { LLAMA_LAYOUTS } from "./llama-layouts.js";

// config.json bodies of the real-size models the benches build with random init (HF _init_weights rules).
export const BENCH_CONFIGS: Record<string, Record<string, unknown>> = {
  "gpt2-124m": { model_type: "gpt2", vocab_size: 50257, n_positions: 1024, n_embd: 768, n_layer: 12, n_head: 12, n_inner: null,
    layer_norm_epsilon: 1e-5, initializer_range: 0.02, pad_token_id: 50256, eos_token_id: 50256 },
  "opt-350m": { model_type: "opt", vocab_size: 50272, hidden_size: 1024, word_embed_proj_dim: 512, num_hidden_layers: 24,
    num_attention_heads: 16, ffn_dim: 4096, max_position_embeddings: 2048, do_layer_norm_before: false, init_std: 0.02,
    pad_token_id: 1, eos_token_id: 2 },
  ...LLAMA_LAYOUTS,
};
