// A GPT-2 transformer block (pre-LN, causal attention, gelu_new) built with the engine, for the training tests and
// bench/engine.ts. Not the models layer's block: just enough to exercise every op a reward model uses.
// Legend: B batch, T tokens, C channels, H heads, D = C / H head dim.
import type { Graph, Node } from "../../src/engine/index.js";

export function blockParamShapes(C: number): Record<string, number[]> {
  return {
    "ln_1.weight": [C], "ln_1.bias": [C],
    "attn.c_attn.weight": [C, 3 * C], "attn.c_attn.bias": [3 * C],
    "attn.c_proj.weight": [C, C], "attn.c_proj.bias": [C],
    "ln_2.weight": [C], "ln_2.bias": [C],
    "mlp.c_fc.weight": [C, 4 * C], "mlp.c_fc.bias": [4 * C],
    "mlp.c_proj.weight": [4 * C, C], "mlp.c_proj.bias": [C],
  };
}

/** x [B, T, C] → [B, T, C]; p(name) returns the param node of that block-relative name. */
export function gpt2Block(g: Graph, x: Node, p: (name: string) => Node, C: number, H: number): Node {
  const D = C / H;
  const linear = (h: Node, name: string): Node => g.add(g.matmul(h, p(`${name}.weight`)), p(`${name}.bias`));
  const heads = (h: Node): Node => g.transpose(g.reshape(h, ["B", "T", H, D]), [0, 2, 1, 3]); // [B, H, T, D]

  const qkv = linear(g.layerNorm(x, p("ln_1.weight"), p("ln_1.bias"), 1e-5), "attn.c_attn"); // [B, T, 3C]
  // scale q, not the [B, H, T, T] scores, and mask with an additive [T, T] bias rather than a where() over the
  // scores: both are 8x-sized passes saved (profiled: where over the scores was 13% of a forward+backward)
  const q = g.mul(heads(g.slice(qkv, 2, 0, C)), g.scalar(1 / Math.sqrt(D)));
  const k = heads(g.slice(qkv, 2, C, 2 * C));
  const v = heads(g.slice(qkv, 2, 2 * C, 3 * C));
  const pos = g.cumsum(g.fill(["T"], 1), 0); // [T]: 1..T
  const future = g.greater(g.reshape(pos, [1, "T"]), g.reshape(pos, ["T", 1])); // [T, T]: key after query
  const bias = g.where(future, g.scalar(-1e9), g.scalar(0)); // [T, T]
  const att = g.softmax(g.add(g.matmul(q, g.transpose(k, [0, 1, 3, 2])), bias)); // [B, H, T, T]
  const y = g.reshape(g.transpose(g.matmul(att, v), [0, 2, 1, 3]), ["B", "T", C]); // [B, T, C]
  const h = g.add(x, linear(y, "attn.c_proj"));
  const m = linear(g.gelu(linear(g.layerNorm(h, p("ln_2.weight"), p("ln_2.bias"), 1e-5), "mlp.c_fc")), "mlp.c_proj");
  return g.add(h, m); // [B, T, C]
}

/** Model FLOPs of one block forward: 2·m·n·k per matmul, attention QKᵀ and AV included. */
export function blockForwardFlops(B: number, T: number, C: number): number {
  const tokens = B * T;
  return 2 * tokens * (C * 3 * C + C * C + 2 * C * 4 * C) + 2 * 2 * B * T * T * C;
}
