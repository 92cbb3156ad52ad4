// Progress of long work: a bar redrawn in place on a TTY, a line every 10 s (and at the end) otherwise.

export function progressReporter(what: string, stream: NodeJS.WriteStream = process.stderr): (done: number, total: number) => void {
  const tty = stream.isTTY === true;
  let last = 0;
  const t0 = Date.now();
  return (done, total) => {
    const now = Date.now();
    const frac = total > 0 ? done / total : 1;
    const eta = done > 0 && done < total ? ` eta ${Math.round(((now - t0) / 1000) * (1 / frac - 1))}s` : "";
    if (tty) {
      const width = 30, fill = Math.round(frac * width);
      stream.write(`\r${what} [${"#".repeat(fill)}${"-".repeat(width - fill)}] ${done}/${total}${eta}   ${done === total ? "\n" : ""}`);
    } else if (done === total || now - last >= 10_000) {
      last = now;
      stream.write(`${what}: ${done}/${total} (${(100 * frac).toFixed(0)}%)${eta}\n`);
    }
  };
}
