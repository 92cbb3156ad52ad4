// accelerate config files (the YAML `accelerate config` writes, in the shape of TRL's own accelerate_configs/):
// one GPU, N-GPU DDP, DeepSpeed ZeRO-2 and ZeRO-3. The cpu smoke run needs no file: `--cpu --num_processes 2`.

export type AccelerateSetup = "single" | "ddp" | "zero2" | "zero3";
export const ACCELERATE_SETUPS: readonly AccelerateSetup[] = ["single", "ddp", "zero2", "zero3"];

export function accelerateConfig(setup: AccelerateSetup, o: { numProcesses: number; bf16: boolean }): Record<string, unknown> {
  const common = {
    compute_environment: "LOCAL_MACHINE", debug: false, downcast_bf16: "no", machine_rank: 0, main_training_function: "main",
    mixed_precision: o.bf16 ? "bf16" : "no", num_machines: 1, rdzv_backend: "static", same_network: true,
    tpu_env: [], tpu_use_cluster: false, tpu_use_sudo: false, use_cpu: false,
  };
  switch (setup) {
    case "single":
      return { ...common, distributed_type: "NO", gpu_ids: "all", num_processes: 1 };
    case "ddp":
      return { ...common, distributed_type: "MULTI_GPU", gpu_ids: "all", num_processes: o.numProcesses };
    case "zero2":
    case "zero3":
      return {
        ...common, distributed_type: "DEEPSPEED", num_processes: o.numProcesses,
        deepspeed_config: {
          deepspeed_multinode_launcher: "standard", offload_optimizer_device: "none", offload_param_device: "none",
          zero_stage: setup === "zero2" ? 2 : 3,
          // ZeRO-3 shards the weights: gather them into one 16-bit file at save so the final model loads anywhere
          ...(setup === "zero3" ? { zero3_init_flag: true, zero3_save_16bit_model: true } : { zero3_init_flag: false }),
        },
      };
  }
}
