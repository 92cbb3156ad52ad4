// Typed reads of tokenizer.json components. Each component is built by a table keyed by its "type"; a read that
// fails names the file and the JSON path of the field (e.g. "pre_tokenizer.pretokenizers[0].behavior").

import { InputError } from "../errors.js";

/** Where a JSON value sits: the file and its path inside it. */
export interface At {
  readonly file: string;
  readonly field: string;
}

export type JsonObject = Record<string, unknown>;

export function at(parent: At, key: string | number): At {
  return { file: parent.file, field: typeof key === "number" ? `${parent.field}[${key}]` : `${parent.field}.${key}` };
}

export function asObject(v: unknown, where: At): JsonObject {
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    throw new InputError(`expected an object, got ${v === null ? "null" : Array.isArray(v) ? "an array" : typeof v}`, where);
  }
  return v as JsonObject;
}

export function asArray(v: unknown, where: At): unknown[] {
  if (!Array.isArray(v)) throw new InputError(`expected an array, got ${JSON.stringify(v)}`, where);
  return v;
}

export function str(o: JsonObject, key: string, where: At): string {
  const v = o[key];
  if (typeof v !== "string") throw new InputError(`expected a string, got ${JSON.stringify(v)}`, at(where, key));
  return v;
}

/** A string, or null when the key is absent or null. */
export function optStr(o: JsonObject, key: string, where: At): string | null {
  return o[key] === undefined || o[key] === null ? null : str(o, key, where);
}

export function bool(o: JsonObject, key: string, where: At, fallback: boolean): boolean {
  const v = o[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== "boolean") throw new InputError(`expected a boolean, got ${JSON.stringify(v)}`, at(where, key));
  return v;
}

export function int(o: JsonObject, key: string, where: At, fallback: number): number {
  const v = o[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0) {
    throw new InputError(`expected a non-negative integer, got ${JSON.stringify(v)}`, at(where, key));
  }
  return v;
}

/** One of a fixed set of strings. */
export function oneOf<T extends string>(o: JsonObject, key: string, where: At, allowed: readonly T[], fallback: T): T {
  const v = o[key] ?? fallback;
  if (!allowed.includes(v as T)) {
    throw new InputError(`expected one of ${allowed.join(", ")}, got ${JSON.stringify(v)}`, at(where, key));
  }
  return v as T;
}

/** Builds a component from the table row of its "type"; an unknown type is refused by name. */
export function buildComponent<T>(table: Readonly<Record<string, (o: JsonObject, where: At) => T>>, v: unknown, where: At,
  kind: string): T {
  const o = asObject(v, where);
  const type = o.type;
  const make = typeof type === "string" && Object.hasOwn(table, type) ? table[type] : undefined;
  if (make === undefined) {
    throw new InputError(`unsupported ${kind} ${JSON.stringify(type)}`, at(where, "type"),
      `rewardlab implements the ${kind}s ${Object.keys(table).join(", ")}`);
  }
  return make(o, where);
}
