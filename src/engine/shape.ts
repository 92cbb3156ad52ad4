// Shapes with symbolic dims. A dim is a number or a product of named symbols with a numeric factor, written
// canonically ("B", "2*B", "B*T"): one graph serves every batch size B and sequence length T, and a reshape from
// [B, T, C] to ["B*T", C] and back type-checks without knowing B or T. Symbols come from graph inputs (or from a
// node that makes a new one, such as a concat of two unrelated dims); executors bind them from the fed tensors.

export type Dim = number | string;
export type Shape = readonly Dim[];

/** A shape rule's complaint; the graph builder adds the op, node id and input shapes (see ir.ts). */
export class ShapeProblem extends Error {}

const SYMBOL = /^[A-Za-z_][A-Za-z0-9_]*$/;

interface Product {
  readonly c: number;
  readonly atoms: readonly string[]; // sorted
}

export function isSymbol(name: string): boolean {
  return SYMBOL.test(name);
}

function product(d: Dim): Product {
  if (typeof d === "number") return { c: d, atoms: [] };
  let c = 1;
  const atoms: string[] = [];
  for (const part of d.split("*")) {
    if (/^\d+$/.test(part)) c *= Number(part);
    else if (SYMBOL.test(part)) atoms.push(part);
    else throw new ShapeProblem(`bad symbolic dim "${d}" (expected symbols and integers joined by "*")`);
  }
  return { c, atoms: atoms.sort() };
}

function format(p: Product): Dim {
  if (p.atoms.length === 0 || p.c === 0) return p.c;
  return (p.c === 1 ? "" : `${p.c}*`) + p.atoms.join("*");
}

/** Canonical spelling of a dim ("T*B" → "B*T", "1*B" → "B"). */
export function normDim(d: Dim): Dim {
  return format(product(d));
}

export function dimEq(a: Dim, b: Dim): boolean {
  return normDim(a) === normDim(b);
}

export function shapeEq(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => dimEq(d, b[i] as Dim));
}

export function mulDims(a: Dim, b: Dim): Dim {
  const pa = product(a);
  const pb = product(b);
  return format({ c: pa.c * pb.c, atoms: [...pa.atoms, ...pb.atoms].sort() });
}

/** a / b when it divides exactly, else undefined. */
export function divDims(a: Dim, b: Dim): Dim | undefined {
  const pa = product(a);
  const pb = product(b);
  if (pb.c === 0 || pa.c % pb.c !== 0) return undefined;
  const rest = [...pa.atoms];
  for (const s of pb.atoms) {
    const i = rest.indexOf(s);
    if (i < 0) return undefined;
    rest.splice(i, 1);
  }
  return format({ c: pa.c / pb.c, atoms: rest });
}

/** a + b when both are multiples of the same symbols ("B" + "B" = "2*B"), else undefined. */
export function addDims(a: Dim, b: Dim): Dim | undefined {
  const pa = product(a);
  const pb = product(b);
  if (pa.atoms.join("*") !== pb.atoms.join("*")) return undefined;
  return format({ c: pa.c + pb.c, atoms: pa.atoms });
}

export function numel(s: Shape): Dim {
  return s.reduce<Dim>((acc, d) => mulDims(acc, d), 1);
}

/** The symbols a dim is made of. */
export function dimSymbols(d: Dim): readonly string[] {
  return product(d).atoms;
}

/** Value of a dim given symbol values; throws when a symbol is unbound. */
export function evalDim(d: Dim, env: ReadonlyMap<string, number>): number {
  const p = product(d);
  let v = p.c;
  for (const s of p.atoms) {
    const x = env.get(s);
    if (x === undefined) throw new ShapeProblem(`symbol "${s}" has no value (no fed tensor binds it)`);
    v *= x;
  }
  return v;
}

export function fmtShape(s: Shape): string {
  return `[${s.join(",")}]`;
}

/** Normalizes a possibly negative axis for a rank, throwing when it is out of range. */
export function normAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) throw new ShapeProblem(`axis ${axis} out of range for rank ${rank}`);
  return a;
}

/** Numpy broadcasting: align right, a 1 stretches to the other dim; symbolic dims must match exactly. */
export function broadcastShapes(shapes: readonly Shape[]): Shape {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    let d: Dim = 1;
    for (const s of shapes) {
      const e = s[s.length - rank + i] ?? 1;
      if (dimEq(e, 1)) continue;
      if (dimEq(d, 1)) d = normDim(e);
      else if (!dimEq(d, e)) throw new ShapeProblem(`cannot broadcast dim ${d} with ${e} at axis ${i}`);
    }
    out.push(d);
  }
  return out;
}
