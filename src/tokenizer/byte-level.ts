// GPT-2's byte-level alphabet: every byte 0..255 gets a printable unicode character, so a BPE vocabulary of
// strings can cover arbitrary bytes. Printable Latin-1 bytes map to themselves; the other 68 bytes (controls,
// space, 0x7F-0xA0, 0xAD) map to U+0100 onwards in byte order, which is why a space is "Ġ" (U+0120).

function isPrintableByte(b: number): boolean {
  return (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
}

function buildByteToChar(): string[] {
  const table: string[] = [];
  let next = 0x100;
  for (let b = 0; b < 256; b++) table.push(String.fromCharCode(isPrintableByte(b) ? b : next++));
  return table;
}

/** BYTE_TO_CHAR[b] is the one-character string that stands for byte b in vocab.json / merges.txt. */
export const BYTE_TO_CHAR: readonly string[] = buildByteToChar();

const CHAR_TO_BYTE: ReadonlyMap<number, number> = new Map(BYTE_TO_CHAR.map((c, b) => [c.charCodeAt(0), b]));

/** Bytes → their byte-level string, e.g. UTF-8 of " é" → "ĠÃ©". */
export function bytesToByteLevel(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += BYTE_TO_CHAR[b] as string;
  return s;
}

/** A vocabulary token (byte-level string) → the bytes it stands for; null if a character is outside the alphabet. */
export function byteLevelToBytes(token: string): Uint8Array | null {
  const out = new Uint8Array(token.length);
  for (let i = 0; i < token.length; i++) {
    const b = CHAR_TO_BYTE.get(token.charCodeAt(i));
    if (b === undefined) return null;
    out[i] = b;
  }
  return out;
}

/**
 * Writes the UTF-8 bytes of text[start, end) into buf (which must hold 3 bytes per UTF-16 unit) and returns
 * the byte count. A lone surrogate becomes U+FFFD, as TextEncoder does.
 */
export function utf8Encode(text: string, start: number, end: number, buf: Uint8Array): number {
  let n = 0;
  for (let i = start; i < end; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      buf[n++] = c;
      continue;
    }
    if (c < 0x800) {
      buf[n++] = 0xc0 | (c >> 6);
      buf[n++] = 0x80 | (c & 0x3f);
      continue;
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      const lo = i + 1 < end ? text.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && lo >= 0xdc00 && lo <= 0xdfff) {
        const cp = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
        buf[n++] = 0xf0 | (cp >> 18);
        buf[n++] = 0x80 | ((cp >> 12) & 0x3f);
        buf[n++] = 0x80 | ((cp >> 6) & 0x3f);
        buf[n++] = 0x80 | (cp & 0x3f);
        i++;
        continue;
      }
      c = 0xfffd;
    }
    buf[n++] = 0xe0 | (c >> 12);
    buf[n++] = 0x80 | ((c >> 6) & 0x3f);
    buf[n++] = 0x80 | (c & 0x3f);
  }
  return n;
}
