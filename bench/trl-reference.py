# The TRL baseline of bench:train, measured by hand (rewardlab never depends on Python): TRL's RewardTrainer on
# the same data as bench/train.ts — random-init gpt2 or opt-350m, the first N hh-rlhf pairs of the sample file with
# both sides <= 512 tokens, batch 4, 2 threads, fp32 and bf16 autocast, no gradient checkpointing.
# Needs a throwaway venv: python3 -m venv /tmp/venv && /tmp/venv/bin/pip install torch transformers trl datasets
# Usage: /tmp/venv/bin/python bench/trl-reference.py [gpt2|opt] [N=64] [fp32,bf16]
# "after 2 steps" excludes the warm-up, as bench:train excludes its first step.
import gzip, json, sys, time, torch
from datasets import Dataset
from transformers import AutoTokenizer, AutoConfig, AutoModelForSequenceClassification, TrainerCallback
from trl import RewardConfig, RewardTrainer
torch.set_num_threads(2)
arch = sys.argv[1] if len(sys.argv) > 1 else "gpt2"
N = int(sys.argv[2]) if len(sys.argv) > 2 else 64
precs = sys.argv[3].split(",") if len(sys.argv) > 3 else ["fp32", "bf16"]
tokdir = "../shared/tokenizers/" + ("gpt2" if arch == "gpt2" else "opt")
tok = AutoTokenizer.from_pretrained(tokdir)
if tok.pad_token is None: tok.pad_token = tok.eos_token
rows = []
with gzip.open("../shared/data/hh-rlhf/harmless-base-test.sample.jsonl.gz", "rt") as f:
    for line in f:
        r = json.loads(line)
        if len(tok(r["chosen"])["input_ids"]) <= 512 and len(tok(r["rejected"])["input_ids"]) <= 512: rows.append(r)
        if len(rows) == N: break
ds = Dataset.from_list(rows)
if arch == "gpt2":
    cfg = AutoConfig.for_model("gpt2", vocab_size=50257, n_positions=1024, n_embd=768, n_layer=12, n_head=12, num_labels=1, pad_token_id=tok.pad_token_id)
else:
    cfg = AutoConfig.for_model("opt", vocab_size=50272, hidden_size=1024, word_embed_proj_dim=512, num_hidden_layers=24, num_attention_heads=16, ffn_dim=4096, max_position_embeddings=2048, do_layer_norm_before=False, num_labels=1, pad_token_id=1)
class T(TrainerCallback):
    def __init__(s): s.t = []
    def on_step_end(s, *a, **k): s.t.append(time.perf_counter())
for prec in precs:
    torch.manual_seed(0)
    model = AutoModelForSequenceClassification.from_config(cfg)
    args = RewardConfig(output_dir="/tmp/trl_out", per_device_train_batch_size=4, num_train_epochs=1, learning_rate=1.41e-5,
        bf16=(prec == "bf16"), use_cpu=True, report_to=[], logging_steps=1000, save_strategy="no", max_length=None,
        gradient_checkpointing=False, dataloader_num_workers=0, disable_tqdm=True)
    cb = T()
    tr = RewardTrainer(model=model, args=args, train_dataset=ds, processing_class=tok, callbacks=[cb])
    t0 = time.perf_counter(); out = tr.train(); t1 = time.perf_counter()
    steady = (len(cb.t) - 2) * 4 / (cb.t[-1] - cb.t[1])
    print(f"TRL {arch} {prec}: {N} pairs in {t1-t0:.1f}s = {N/(t1-t0):.3f} pairs/s overall, {steady:.3f} pairs/s after 2 steps; loss {out.training_loss:.4f}", flush=True)
