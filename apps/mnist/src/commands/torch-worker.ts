/**
 * The client of apps/mnist/bench/torch_worker.py: one persistent Python process holding PyTorch
 * warm, driven by JSON lines (the protocol is described in the script). Started with the
 * environment that pins PyTorch to one thread.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** apps/mnist/bench/torch_worker.py, the same from src/commands and dist/commands. */
export const TORCH_WORKER_SCRIPT = fileURLToPath(new URL('../../bench/torch_worker.py', import.meta.url));

export const DEFAULT_PYTHON = '/usr/bin/python3';

/** What PyTorch's side needs to run on one thread (read by OpenBLAS and OpenMP when torch loads). */
export const SINGLE_THREAD_ENV = { OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' } as const;

export interface WorkerReady {
  torch: string;
  threads: number;
  python: string;
}

export interface TrainAnswer {
  seconds: number;
  loss: number;
  losses: number[] | null;
}

export interface InferAnswer {
  seconds: number;
  logits: number[];
}

/** One parameter for `build`: its shape and its float32 values, base64 of the little-endian bytes. */
export interface WireWeight {
  shape: number[];
  f32: string;
}

export function wireWeight(shape: readonly number[], values: Float32Array): WireWeight {
  return {
    shape: [...shape],
    f32: Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64'),
  };
}

type Answer = { ok: true; [key: string]: unknown } | { ok: false; error: string };

export class TorchWorker {
  private buffer = '';
  private waiting: { resolve: (a: Answer) => void; reject: (e: Error) => void }[] = [];
  private stderr = '';
  private exited: string | null = null;

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    readonly python: string,
  ) {
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      this.buffer += chunk;
      for (let nl = this.buffer.indexOf('\n'); nl >= 0; nl = this.buffer.indexOf('\n')) {
        const line = this.buffer.slice(0, nl).trim();
        this.buffer = this.buffer.slice(nl + 1);
        if (line === '') continue;
        const next = this.waiting.shift();
        if (next === undefined) continue;
        try {
          next.resolve(JSON.parse(line) as Answer);
        } catch {
          next.reject(new Error(`the PyTorch worker answered something that is not JSON: ${line.slice(0, 200)}`));
        }
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-4000);
    });
    const fail = (why: string): void => {
      this.exited ??= why;
      for (const w of this.waiting.splice(0)) w.reject(new Error(this.failure()));
    };
    child.on('error', (e) => fail(e.message));
    // 'close' comes after the last stdout/stderr data (a traceback is complete by then).
    child.on('close', (code, signal) => fail(signal === null ? `exited with code ${code}` : `killed by ${signal}`));
    // Writing to a worker that died is reported by 'close' with its stderr, not as an unhandled EPIPE.
    child.stdin.on('error', () => {});
  }

  /** The worker's last stderr lines (a Python traceback ends with the line that says what went wrong). */
  private failure(): string {
    const lines = this.stderr.trim().split('\n').filter(Boolean);
    const last = lines.length > 0 ? `: ${lines.slice(-1)[0]}` : '';
    return `the PyTorch worker (${this.python} ${TORCH_WORKER_SCRIPT}) ${this.exited ?? 'failed'}${last}`;
  }

  /**
   * Starts the worker and waits for its ready line. Resolves to the worker, or to one sentence
   * saying why PyTorch cannot run (no interpreter at that path, torch not importable, ...).
   */
  static async start(python: string = DEFAULT_PYTHON): Promise<{ worker: TorchWorker; ready: WorkerReady } | string> {
    if (!existsSync(python)) return `${python} not found`;
    if (!existsSync(TORCH_WORKER_SCRIPT)) return `${TORCH_WORKER_SCRIPT} not found`;
    const child = spawn(python, [TORCH_WORKER_SCRIPT], {
      env: { ...process.env, ...SINGLE_THREAD_ENV },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const worker = new TorchWorker(child, python);
    try {
      const ready = await worker.next();
      return {
        worker,
        ready: { torch: String(ready.torch), threads: Number(ready.threads), python: String(ready.python) },
      };
    } catch (error) {
      worker.close();
      const message = (error as Error).message;
      if (/No module named '?(torch|numpy)'?/.test(message)) {
        const missing = /No module named '?(\w+)/.exec(message)?.[1] ?? 'torch';
        return `${python} has no ${missing} module (Debian: apt-get install -y python3-torch)`;
      }
      return message;
    }
  }

  private next(): Promise<Answer & { ok: true }> {
    return new Promise<Answer>((resolve, reject) => {
      if (this.exited !== null) reject(new Error(this.failure()));
      else this.waiting.push({ resolve, reject });
    }).then((a) => {
      if (!a.ok) throw new Error(`the PyTorch worker: ${a.error}`);
      return a;
    });
  }

  /** Sends one command and resolves to its answer; an {"ok": false} answer rejects with its error. */
  request(command: Record<string, unknown>): Promise<Record<string, unknown>> {
    const answer = this.next();
    this.child.stdin.write(`${JSON.stringify(command)}\n`);
    return answer;
  }

  async load(images: string, labels: string, limit: number): Promise<number> {
    return Number((await this.request({ cmd: 'load', images, labels, limit })).count);
  }

  async build(options: {
    model: string;
    lr: number;
    momentum: number;
    optimizer: string;
    batch: number;
    weights?: WireWeight[];
  }): Promise<number[][]> {
    return (await this.request({ cmd: 'build', ...options })).parameters as number[][];
  }

  async train(steps: number, start: number, losses = false): Promise<TrainAnswer> {
    return (await this.request({ cmd: 'train', steps, start, losses })) as unknown as TrainAnswer;
  }

  async infer(calls: number, index: number): Promise<InferAnswer> {
    return (await this.request({ cmd: 'infer', calls, index })) as unknown as InferAnswer;
  }

  /** Ends the worker (closing stdin ends its read loop; the kill is for one that hangs). */
  close(): void {
    if (this.exited !== null) return;
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill(), 2000);
    timer.unref();
    this.child.once('close', () => clearTimeout(timer));
  }
}
