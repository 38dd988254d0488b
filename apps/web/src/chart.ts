/** A small line chart on a canvas: per-step loss (left axis) and batch accuracy (right axis, 0-1). */
export interface Series {
  values: readonly number[];
  color: string;
  /** 'left': scaled to the loss range; 'right': 0..1. */
  axis: 'left' | 'right';
  width?: number;
}

/** Trailing mean over `window` values (a readable curve from noisy per-batch numbers). */
export function movingAverage(values: readonly number[], window: number): number[] {
  const out: number[] = [];
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    sum += values[i]!;
    if (i >= window) sum -= values[i - window]!;
    out.push(sum / Math.min(i + 1, window));
  }
  return out;
}

export function drawChart(canvas: HTMLCanvasElement, series: readonly Series[], steps: number): void {
  const ctx = canvas.getContext('2d')!;
  const { width: w, height: h } = canvas;
  const pad = { left: 44, right: 40, top: 10, bottom: 24 };
  ctx.clearRect(0, 0, w, h);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, w, h);
  const left = series.filter((s) => s.axis === 'left').flatMap((s) => s.values.filter(Number.isFinite));
  const maxLoss = Math.max(0.5, ...left);
  const n = Math.max(steps, ...series.map((s) => s.values.length), 2);
  const x = (i: number) => pad.left + (i / (n - 1)) * (w - pad.left - pad.right);
  const yLeft = (v: number) => pad.top + (1 - v / maxLoss) * (h - pad.top - pad.bottom);
  const yRight = (v: number) => pad.top + (1 - v) * (h - pad.top - pad.bottom);
  ctx.strokeStyle = '#ddd';
  ctx.fillStyle = '#555';
  ctx.font = '11px system-ui, sans-serif';
  ctx.lineWidth = 1;
  for (let k = 0; k <= 4; k++) {
    const v = (maxLoss * k) / 4;
    ctx.beginPath();
    ctx.moveTo(pad.left, yLeft(v));
    ctx.lineTo(w - pad.right, yLeft(v));
    ctx.stroke();
    ctx.fillText(v.toFixed(2), 4, yLeft(v) + 4);
    ctx.fillText(`${(k * 25).toFixed(0)}%`, w - pad.right + 6, yRight(k / 4) + 4);
  }
  ctx.fillText('step', w / 2 - 10, h - 6);
  ctx.fillText(String(n - 1), w - pad.right - 16, h - 6);
  for (const s of series) {
    ctx.strokeStyle = s.color;
    ctx.lineWidth = s.width ?? 1.5;
    ctx.beginPath();
    s.values.forEach((v, i) => {
      const y = s.axis === 'left' ? yLeft(Math.min(v, maxLoss)) : yRight(v);
      if (i === 0) ctx.moveTo(x(i), y);
      else ctx.lineTo(x(i), y);
    });
    ctx.stroke();
  }
}
