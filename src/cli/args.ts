// Flag parsing shared by every command: --name value, --name=value, --flag (boolean), --no-flag.
// Unknown flags are errors that list the known ones, so a typo never silently falls back to a default.
import { InputError } from "../errors.js";

export type FlagKind = "string" | "number" | "boolean" | "list";
export interface FlagSpec {
  readonly kind: FlagKind;
  readonly help: string;
  readonly default?: string | number | boolean;
}
export type FlagSpecs = Record<string, FlagSpec>;
export type FlagValue = string | number | boolean | string[] | undefined;

export interface ParsedArgs {
  readonly flags: Map<string, FlagValue>;
  readonly positional: string[];
}

export function parseArgs(argv: readonly string[], specs: FlagSpecs, command: string): ParsedArgs {
  const flags = new Map<string, FlagValue>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith("--") || arg === "--") {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    let name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    let inline: string | undefined = eq >= 0 ? arg.slice(eq + 1) : undefined;
    let spec = specs[name];
    if (!spec && name.startsWith("no-") && specs[name.slice(3)]?.kind === "boolean") {
      name = name.slice(3);
      spec = specs[name];
      inline = "false";
    }
    if (!spec) {
      throw new InputError(`unknown flag --${name} for "rewardlab ${command}"`, undefined,
        `known flags: ${Object.keys(specs).map((k) => `--${k}`).join(", ")}`);
    }
    if (spec.kind === "boolean") {
      flags.set(name, inline === undefined ? true : parseBool(inline, name));
      continue;
    }
    const raw = inline ?? argv[++i];
    if (raw === undefined) throw new InputError(`flag --${name} needs a value`);
    if (spec.kind === "number") {
      const n = Number(raw);
      if (raw.trim() === "" || !Number.isFinite(n)) throw new InputError(`flag --${name}: expected a number, got "${raw}"`);
      flags.set(name, n);
    } else if (spec.kind === "list") {
      const prev = flags.get(name);
      flags.set(name, [...(Array.isArray(prev) ? prev : []), ...raw.split(",").filter((s) => s !== "")]);
    } else {
      flags.set(name, raw);
    }
  }
  for (const [name, spec] of Object.entries(specs)) {
    if (!flags.has(name) && spec.default !== undefined) flags.set(name, spec.default);
  }
  return { flags, positional };
}

function parseBool(raw: string, name: string): boolean {
  if (raw === "true" || raw === "1") return true;
  if (raw === "false" || raw === "0") return false;
  throw new InputError(`flag --${name}: expected true or false, got "${raw}"`);
}

export function str(a: ParsedArgs, name: string): string | undefined {
  const v = a.flags.get(name);
  return typeof v === "string" ? v : undefined;
}
export function requireStr(a: ParsedArgs, name: string, command: string): string {
  const v = str(a, name);
  if (v === undefined) throw new InputError(`"rewardlab ${command}" needs --${name}`, undefined, `see: rewardlab ${command} --help`);
  return v;
}
export function num(a: ParsedArgs, name: string): number | undefined {
  const v = a.flags.get(name);
  return typeof v === "number" ? v : undefined;
}
/** An integer flag in [min, max] (default `fallback` when absent); anything else is an InputError naming the flag. */
export function intFlag(a: ParsedArgs, name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const v = num(a, name) ?? fallback;
  if (!(Number.isInteger(v) && v >= min && v <= max)) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`;
    throw new InputError(`flag --${name}: expected an integer ${range}, got ${v}`);
  }
  return v;
}
export function bool(a: ParsedArgs, name: string): boolean {
  return a.flags.get(name) === true;
}
export function list(a: ParsedArgs, name: string): string[] | undefined {
  const v = a.flags.get(name);
  return Array.isArray(v) ? v : undefined;
}

export function formatHelp(usage: string, summary: string, specs: FlagSpecs): string {
  const lines = [`usage: ${usage}`, "", summary, "", "flags:"];
  for (const [name, s] of Object.entries(specs)) {
    const def = s.default !== undefined ? ` (default ${String(s.default)})` : "";
    lines.push(`  --${name.padEnd(28)} ${s.help}${def}`);
  }
  return lines.join("\n");
}
