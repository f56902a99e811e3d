const BAR_WIDTH = 30;
const REDRAW_MS = 100;

export interface Progress {
  advance(bytes: number): void;
  /** Ends the bar's line; call on success and on failure. */
  finish(): void;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** The bar's text: a percentage when the total is known (Content-Length), else a byte count. */
export function progressLine(received: number, total: number | undefined): string {
  if (total === undefined || total <= 0) return `${formatBytes(received)} received`;
  const share = Math.min(1, received / total);
  const filled = Math.round(share * BAR_WIDTH);
  return `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${String(Math.floor(share * 100)).padStart(3)}%  ${formatBytes(received)} / ${formatBytes(total)}`;
}

/** A progress bar on a terminal; nothing at all when stderr is a pipe or file (logs stay clean). */
export function progressBar(stream: NodeJS.WritableStream & { isTTY?: boolean }, total: number | undefined): Progress {
  if (!stream.isTTY) return { advance() {}, finish() {} };
  let received = 0;
  let drawnAt = 0;
  const draw = () => {
    drawnAt = Date.now();
    stream.write(`\r${progressLine(received, total)}\u001b[K`);
  };
  return {
    advance(bytes) {
      received += bytes;
      if (Date.now() - drawnAt >= REDRAW_MS) draw();
    },
    finish() {
      draw();
      stream.write('\n');
    },
  };
}
