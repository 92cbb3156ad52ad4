// A small, safe pickle VM for exactly what torch.save writes (protocol 2, plus the few protocol-4 framing opcodes).
// It never imports or calls arbitrary globals: GLOBAL resolves only names in an allow-list supplied by the caller,
// and REDUCE / BUILD / persistent ids go through caller-supplied functions. Anything else is a CheckpointError.
import { CheckpointError } from "../errors.js";

/** A resolved allow-listed global: `module.name`. */
export class PyGlobal {
  constructor(readonly module: string, readonly name: string) {}
  get qualified(): string { return `${this.module}.${this.name}`; }
}
/** A Python dict or OrderedDict (keys kept in insertion order). */
export class PyDict extends Map<unknown, unknown> {}
export type PyTuple = readonly unknown[] & { readonly __tuple: true };

export interface PickleHooks {
  /** module.name pairs that GLOBAL may resolve */
  readonly allowedGlobals: ReadonlySet<string>;
  /** REDUCE: call an allow-listed global with its args */
  reduce(fn: PyGlobal, args: readonly unknown[]): unknown;
  /** BINPERSID: the persistent id (torch: a storage tuple) → object */
  persistentLoad(pid: unknown): unknown;
}

const MARK = Symbol("mark");

function tuple(items: unknown[]): PyTuple {
  return items as unknown as PyTuple;
}

export function unpickle(bytes: Uint8Array, hooks: PickleHooks, file: string): unknown {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stack: unknown[] = [];
  const memo = new Map<number, unknown>();
  let p = 0;
  const fail = (msg: string): never => {
    throw new CheckpointError(`pickle at byte ${p}: ${msg}`, { file });
  };
  const pop = (): unknown => (stack.length === 0 ? fail("stack underflow") : stack.pop());
  const popMark = (): unknown[] => {
    const i = stack.lastIndexOf(MARK);
    if (i < 0) fail("no MARK on the stack");
    const items = stack.slice(i + 1);
    stack.length = i;
    return items;
  };
  const top = (): unknown => (stack.length === 0 ? fail("stack underflow") : stack[stack.length - 1]);
  const readLine = (): string => {
    const e = buf.indexOf(0x0a, p);
    if (e < 0) fail("unterminated line");
    const s = buf.toString("latin1", p, e);
    p = e + 1;
    return s;
  };
  const setItems = (d: unknown, kv: unknown[]): void => {
    if (!(d instanceof PyDict)) fail("SETITEM(S) on a non-dict");
    for (let i = 0; i + 1 < kv.length; i += 2) (d as PyDict).set(kv[i], kv[i + 1]);
  };
  while (p < buf.length) {
    const op = buf[p++] as number;
    switch (op) {
      case 0x80: p++; break;                                   // PROTO
      case 0x95: p += 8; break;                                // FRAME (protocol 4)
      case 0x2e: return pop();                                 // STOP
      case 0x28: stack.push(MARK); break;                      // MARK
      case 0x29: stack.push(tuple([])); break;                 // EMPTY_TUPLE
      case 0x85: stack.push(tuple([pop()])); break;            // TUPLE1
      case 0x86: { const b = pop(), a = pop(); stack.push(tuple([a, b])); break; }           // TUPLE2
      case 0x87: { const c = pop(), b = pop(), a = pop(); stack.push(tuple([a, b, c])); break; } // TUPLE3
      case 0x74: stack.push(tuple(popMark())); break;          // TUPLE
      case 0x5d: stack.push([]); break;                        // EMPTY_LIST
      case 0x61: { const v = pop(); (top() as unknown[]).push(v); break; }                   // APPEND
      case 0x65: { const items = popMark(); (top() as unknown[]).push(...items); break; }    // APPENDS
      case 0x6c: stack.push(popMark()); break;                 // LIST
      case 0x7d: stack.push(new PyDict()); break;              // EMPTY_DICT
      case 0x73: { const v = pop(), k = pop(); setItems(top(), [k, v]); break; }             // SETITEM
      case 0x75: { const kv = popMark(); setItems(top(), kv); break; }                       // SETITEMS
      case 0x4e: stack.push(null); break;                      // NONE
      case 0x88: stack.push(true); break;                      // NEWTRUE
      case 0x89: stack.push(false); break;                     // NEWFALSE
      case 0x4b: stack.push(buf[p]); p += 1; break;            // BININT1
      case 0x4d: stack.push(buf.readUInt16LE(p)); p += 2; break; // BININT2
      case 0x4a: stack.push(buf.readInt32LE(p)); p += 4; break;  // BININT
      case 0x8a: {                                             // LONG1
        const n = buf[p++] as number;
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(buf[p + i] as number);
        if (n > 0 && ((buf[p + n - 1] as number) & 0x80)) v -= 1n << BigInt(8 * n);
        p += n;
        stack.push(Number(v));
        break;
      }
      case 0x47: stack.push(buf.readDoubleBE(p)); p += 8; break; // BINFLOAT
      case 0x58: { const n = buf.readUInt32LE(p); p += 4; stack.push(buf.toString("utf8", p, p + n)); p += n; break; } // BINUNICODE
      case 0x8c: { const n = buf[p++] as number; stack.push(buf.toString("utf8", p, p + n)); p += n; break; }        // SHORT_BINUNICODE
      case 0x43: { const n = buf[p++] as number; stack.push(buf.subarray(p, p + n)); p += n; break; }               // SHORT_BINBYTES
      case 0x42: { const n = buf.readUInt32LE(p); p += 4; stack.push(buf.subarray(p, p + n)); p += n; break; }      // BINBYTES
      case 0x71: memo.set(buf[p] as number, top()); p += 1; break;          // BINPUT
      case 0x72: memo.set(buf.readUInt32LE(p), top()); p += 4; break;       // LONG_BINPUT
      case 0x94: memo.set(memo.size, top()); break;                         // MEMOIZE
      case 0x68: case 0x6a: {                                               // BINGET, LONG_BINGET
        const k = op === 0x68 ? (buf[p] as number) : buf.readUInt32LE(p);
        p += op === 0x68 ? 1 : 4;
        if (!memo.has(k)) fail(`memo key ${k} not set`);
        stack.push(memo.get(k));
        break;
      }
      case 0x63: {                                                          // GLOBAL
        const module = readLine(), name = readLine();
        if (!hooks.allowedGlobals.has(`${module}.${name}`)) {
          fail(`refusing global ${module}.${name} (not a torch tensor / state-dict type)`);
        }
        stack.push(new PyGlobal(module, name));
        break;
      }
      case 0x93: {                                                          // STACK_GLOBAL
        const name = pop(), module = pop();
        if (!hooks.allowedGlobals.has(`${String(module)}.${String(name)}`)) fail(`refusing global ${String(module)}.${String(name)}`);
        stack.push(new PyGlobal(String(module), String(name)));
        break;
      }
      case 0x52: {                                                          // REDUCE
        const args = pop(), fn = pop();
        if (!(fn instanceof PyGlobal) || !Array.isArray(args)) fail("REDUCE needs an allow-listed global and a tuple");
        stack.push(hooks.reduce(fn as PyGlobal, args as unknown[]));
        break;
      }
      case 0x62: pop(); break;   // BUILD: object state (OrderedDict._metadata, Parameter hooks): not needed
      case 0x51: stack.push(hooks.persistentLoad(pop())); break;            // BINPERSID
      default: fail(`unsupported opcode 0x${op.toString(16)}`);
    }
  }
  return fail("no STOP opcode");
}
