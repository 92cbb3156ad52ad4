// JSON text as Python's json.dumps(obj, indent=2, sort_keys=True) writes it (ensure_ascii on), so trainer_state.json
// matches what the HF Trainer writes byte for byte: floats keep a ".0" (epoch 1.0), small and large ones use
// Python's repr exponent form (5e-05, 1.2e+16), ints stay ints. Which numbers are ints is said by `intKeys`.
import { pythonJson } from "../../models/index.js";

export type PyJson = null | boolean | number | string | PyJson[] | { [k: string]: PyJson };

export function pythonJsonDumps(value: PyJson, intKeys: ReadonlySet<string>): string {
  return pythonJson(value, (key, v) => !(intKeys.has(key) && Number.isInteger(v)));
}
