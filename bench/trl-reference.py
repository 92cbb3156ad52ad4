# The TRL baseline of bench:train, measured by hand (rewardlab never depends on Python): TRL's RewardTrainer on
# the same data as bench/train.ts — random-init gpt2, opt-350m, or the layouts of SmolLM2-135M and Qwen2.5-0.5B
# (bench/llama-layouts.ts), the first N hh-rlhf pairs of the sample file with both sides <= 512 tokens, batch 4,
# 2 threads, fp32 and bf16 autocast, no gradient checkpointing; full fine-tuning or LoRA r=16 (PEFT's default targets).
# The Llama-family models get GPT-2's ids folded into their vocabulary (id % vocab_size), as bench:train does,
# passed to TRL as a processed dataset (chosen_ids / rejected_ids).
# Needs a throwaway venv: python3 -m venv /tmp/venv && /tmp/venv/bin/pip install torch transformers trl datasets peft
# Usage: /tmp/venv/bin/python bench/trl-reference.py [gpt2|opt|smollm2-135m|qwen2.5-0.5b] [N=64] [fp32,bf16] [full|lora] [steady]
# "after 2 steps" excludes the warm-up, as bench:train excludes its first step; the last line is the --trl
# argument for bench:train. With `steady`, TRL trains two epochs over the N pairs and the figure is its second epoch
# (the same N pairs, every batch shape warm): compare with bench:train --steady.
import gzip, json, sys, time, torch
from datasets import Dataset
from transformers import AutoTokenizer, AutoConfig, AutoModelForSequenceClassification, TrainerCallback
from trl import RewardConfig, RewardTrainer
torch.set_num_threads(2)
arch = sys.argv[1] if len(sys.argv) > 1 else "gpt2"
N = int(sys.argv[2]) if len(sys.argv) > 2 else 64
precs = sys.argv[3].split(",") if len(sys.argv) > 3 else ["fp32", "bf16"]
tuning = sys.argv[4] if len(sys.argv) > 4 else "full"
steady_epoch = len(sys.argv) > 5 and sys.argv[5] == "steady"
# bench/llama-layouts.ts, the same fields
LLAMA = {
    "smollm2-135m": dict(model_type="llama", vocab_size=49152, hidden_size=576, intermediate_size=1536, num_hidden_layers=30,
        num_attention_heads=9, num_key_value_heads=3, max_position_embeddings=8192, rms_norm_eps=1e-5, rope_theta=100000.0,
        tie_word_embeddings=True, initializer_range=0.041666666666666664, pad_token_id=2, bos_token_id=1, eos_token_id=2),
    "qwen2.5-0.5b": dict(model_type="qwen2", vocab_size=151936, hidden_size=896, intermediate_size=4864, num_hidden_layers=24,
        num_attention_heads=14, num_key_value_heads=2, max_position_embeddings=32768, rms_norm_eps=1e-6, rope_theta=1000000.0,
        tie_word_embeddings=True, initializer_range=0.02, pad_token_id=50256, bos_token_id=50256, eos_token_id=50256),
}
tokdir = "../shared/tokenizers/" + ("opt" if arch == "opt" else "gpt2")
tok = AutoTokenizer.from_pretrained(tokdir)
if tok.pad_token is None: tok.pad_token = tok.eos_token
if arch in LLAMA:
    # the collator pads with the tokenizer's pad id: make it the model's
    tok.pad_token = tok.convert_ids_to_tokens(LLAMA[arch]["pad_token_id"])
rows = []
with gzip.open("../shared/data/hh-rlhf/harmless-base-test.sample.jsonl.gz", "rt") as f:
    for line in f:
        r = json.loads(line)
        if len(tok(r["chosen"])["input_ids"]) <= 512 and len(tok(r["rejected"])["input_ids"]) <= 512: rows.append(r)
        if len(rows) == N: break
if arch in LLAMA:
    V = LLAMA[arch]["vocab_size"]
    fold = lambda text: [i % V for i in tok(text)["input_ids"]]
    ds = Dataset.from_list([{"chosen_ids": fold(r["chosen"]), "rejected_ids": fold(r["rejected"])} for r in rows])
else:
    ds = Dataset.from_list(rows)
if arch in LLAMA:
    spec = dict(LLAMA[arch])
    cfg = AutoConfig.for_model(spec.pop("model_type"), num_labels=1, **spec)
elif arch == "gpt2":
    cfg = AutoConfig.for_model("gpt2", vocab_size=50257, n_positions=1024, n_embd=768, n_layer=12, n_head=12, num_labels=1, pad_token_id=tok.pad_token_id)
else:
    cfg = AutoConfig.for_model("opt", vocab_size=50272, hidden_size=1024, word_embed_proj_dim=512, num_hidden_layers=24, num_attention_heads=16, ffn_dim=4096, max_position_embeddings=2048, do_layer_norm_before=False, num_labels=1, pad_token_id=1)
class T(TrainerCallback):
    def __init__(s): s.t = []
    def on_step_end(s, *a, **k): s.t.append(time.perf_counter())
trl_arg = []
for prec in precs:
    torch.manual_seed(0)
    model = AutoModelForSequenceClassification.from_config(cfg)
    args = RewardConfig(output_dir="/tmp/trl_out", per_device_train_batch_size=4, num_train_epochs=2 if steady_epoch else 1, learning_rate=1.41e-5,
        bf16=(prec == "bf16"), use_cpu=True, report_to=[], logging_steps=1000, save_strategy="no", max_length=None,
        gradient_checkpointing=False, dataloader_num_workers=0, disable_tqdm=True)
    cb = T()
    peft_config = None
    if tuning == "lora":
        from peft import LoraConfig
        peft_config = LoraConfig(r=16, lora_alpha=16, lora_dropout=0.0, task_type="SEQ_CLS")
    tr = RewardTrainer(model=model, args=args, train_dataset=ds, processing_class=tok, callbacks=[cb], peft_config=peft_config)
    t0 = time.perf_counter(); out = tr.train(); t1 = time.perf_counter()
    # steady: the second epoch's N pairs (from the end of the first epoch's last step); else the steps after the second
    first = len(cb.t) // 2 - 1 if steady_epoch else 1
    steady = (len(cb.t) - 1 - first) * 4 / (cb.t[-1] - cb.t[first])
    window = "in the second epoch" if steady_epoch else "after 2 steps"
    print(f"TRL {arch} {tuning} {prec}: {N * args.num_train_epochs} pairs in {t1-t0:.1f}s = {N * args.num_train_epochs/(t1-t0):.3f} pairs/s overall, {steady:.3f} pairs/s {window}; loss {out.training_loss:.4f}", flush=True)
    # bench:train's model names, so the last line can be passed as is
    trl_arg.append(f"{ {'gpt2': 'gpt2-124m', 'opt': 'opt-350m'}.get(arch, arch)}:{tuning}:{prec}={steady:.3f}")
print("--trl " + ",".join(trl_arg))
