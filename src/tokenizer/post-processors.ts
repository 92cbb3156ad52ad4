// tokenizer.json post-processors, one table row per "type": what a single text is wrapped in, as ids before and
// after it ($A). Offsets and type ids do not matter for input_ids; pairs are not encoded.

import { InputError } from "../errors.js";
import { type At, asArray, asObject, at, buildComponent, type JsonObject } from "./json-fields.js";

export interface Wrap {
  readonly prefix: readonly number[];
  readonly suffix: readonly number[];
}

export const NO_WRAP: Wrap = { prefix: [], suffix: [] };

/** TemplateProcessing: the single template's special-token pieces, their ids from "special_tokens". */
function template(o: JsonObject, where: At): Wrap {
  const specials = asObject(o.special_tokens ?? {}, at(where, "special_tokens"));
  const prefix: number[] = [];
  const suffix: number[] = [];
  let seen = false;
  asArray(o.single, at(where, "single")).forEach((piece, i) => {
    const w = at(at(where, "single"), i);
    const p = asObject(piece, w);
    if (p.Sequence !== undefined) {
      seen = true;
      return;
    }
    const name = asObject(p.SpecialToken, at(w, "SpecialToken")).id;
    const entry = typeof name === "string" && Object.hasOwn(specials, name) ? asObject(specials[name], at(at(where, "special_tokens"), name)) : undefined;
    const ids = entry?.ids;
    if (!Array.isArray(ids) || !ids.every((id) => Number.isInteger(id))) {
      throw new InputError(`special token ${JSON.stringify(name)} has no ids in special_tokens`, w);
    }
    (seen ? suffix : prefix).push(...(ids as number[]));
  });
  return { prefix, suffix };
}

/** RobertaProcessing / BertProcessing: cls ["<s>", 0] before, sep ["</s>", 2] after. */
function clsSep(o: JsonObject, where: At): Wrap {
  const id = (key: string): number => {
    const pair = asArray(o[key], at(where, key));
    if (typeof pair[1] !== "number") throw new InputError(`expected ["token", id], got ${JSON.stringify(pair)}`, at(where, key));
    return pair[1];
  };
  return { prefix: [id("cls")], suffix: [id("sep")] };
}

const POST_PROCESSORS: Readonly<Record<string, (o: JsonObject, where: At) => Wrap>> = {
  TemplateProcessing: template,
  RobertaProcessing: clsSep,
  BertProcessing: clsSep,
  ByteLevel: () => NO_WRAP,
  Sequence: (o, where) => asArray(o.processors, at(where, "processors")).reduce<Wrap>((acc, p, i) => {
    // Each processor wraps what the ones before it produced.
    const w = buildPostProcessor(p, at(at(where, "processors"), i));
    return { prefix: [...w.prefix, ...acc.prefix], suffix: [...acc.suffix, ...w.suffix] };
  }, NO_WRAP),
};

/** The post_processor of tokenizer.json (null: nothing added). */
export function buildPostProcessor(v: unknown, where: At): Wrap {
  if (v === null || v === undefined) return NO_WRAP;
  return buildComponent(POST_PROCESSORS, v, where, "post_processor");
}
