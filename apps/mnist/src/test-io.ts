/** Test helper: an Output that captures what the CLI writes. */
import { Writable } from 'node:stream';
import type { Output } from './progress.js';

export interface CapturedIo extends Output {
  stdout: () => string;
  stderr: () => string;
}

function sink(chunks: string[]): Writable {
  return new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  });
}

export function captureIo(): CapturedIo {
  const out: string[] = [];
  const err: string[] = [];
  return { out: sink(out), err: sink(err), stdout: () => out.join(''), stderr: () => err.join('') };
}
