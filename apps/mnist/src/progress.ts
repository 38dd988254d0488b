/**
 * Per-epoch progress: a live cli-progress bar (loss, accuracy, samples/s, ETA) on a terminal,
 * plain lines (about every 25% and at the end of the epoch) when the output is not a TTY.
 */
import cliProgress from 'cli-progress';
import type { Writable } from 'node:stream';

export interface ProgressUpdate {
  /** Samples seen so far in this epoch. */
  done: number;
  loss: number;
  accuracy: number;
  samplesPerSecond: number;
}

export interface EpochProgress {
  update(u: ProgressUpdate): void;
  stop(): void;
}

export interface Output {
  out: Writable & { isTTY?: boolean };
  err: Writable;
}

function fmtEta(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--';
  const s = Math.max(0, Math.round(seconds));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/** A progress bar (TTY) or a plain line every `every` of the way (0.25: at 25%, 50%, 75% and 100%). */
export function startEpochProgress(io: Output, label: string, total: number, every = 0.25): EpochProgress {
  if (io.out.isTTY === true) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${label} {bar} {percentage}% | {value}/{total} | loss {loss} | acc {acc} | {rate} samples/s | ETA {eta_formatted}`,
        stream: io.out as NodeJS.WritableStream,
        hideCursor: true,
        clearOnComplete: false,
        etaBuffer: 50,
        fps: 10,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { loss: '-', acc: '-', rate: '-' });
    return {
      update(u) {
        bar.update(u.done, {
          loss: u.loss.toFixed(4),
          acc: `${(u.accuracy * 100).toFixed(1)}%`,
          rate: Math.round(u.samplesPerSecond),
        });
      },
      stop() {
        bar.stop();
      },
    };
  }
  let nextMark = every;
  return {
    update(u) {
      const frac = u.done / total;
      if (frac + 1e-9 < nextMark && u.done < total) return;
      while (nextMark <= frac + 1e-9) nextMark += every;
      const eta = (total - u.done) / u.samplesPerSecond;
      io.out.write(
        `${label} ${String(Math.round(frac * 100)).padStart(3)}% | ${u.done}/${total} | loss ${u.loss.toFixed(4)} | acc ${(u.accuracy * 100).toFixed(1)}% | ${Math.round(u.samplesPerSecond)} samples/s | ETA ${fmtEta(eta)}\n`,
      );
    },
    stop() {},
  };
}
