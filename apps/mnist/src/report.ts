/**
 * Text tables, the loss/accuracy chart (plain SVG text) and the self-contained HTML report.
 * Pure functions over plain numbers: no tensors, no I/O.
 */

export interface EpochRecord {
  epoch: number;
  /** Mean training loss over the epoch's samples. */
  trainLoss: number;
  /** Training accuracy over the epoch (0-1), measured on the fly while training. */
  trainAccuracy: number;
  /** Test loss and accuracy after the epoch. */
  testLoss: number;
  testAccuracy: number;
  seconds: number;
  samplesPerSecond: number;
}

/** counts[actual][predicted] */
export type ConfusionMatrix = number[][];

export function confusionMatrix(
  actual: ArrayLike<number>,
  predicted: ArrayLike<number>,
  numClasses = 10,
): ConfusionMatrix {
  const m = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < actual.length; i++) m[actual[i]!]![predicted[i]!]! += 1;
  return m;
}

export function formatPercent(x: number, digits = 2): string {
  return `${(x * 100).toFixed(digits)}%`;
}

function pad(s: string, width: number, right = true): string {
  return right ? s.padStart(width) : s.padEnd(width);
}

/** A plain monospace table; numeric-looking cells are right-aligned. */
export function textTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const numeric = (s: string): boolean => /^[-+]?[\d.,]+%?$/.test(s.trim());
  const line = (cells: string[]): string => cells.map((c, i) => pad(c, widths[i]!, numeric(c) || i > 0)).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function epochTable(epochs: readonly EpochRecord[]): string {
  return textTable(
    ['epoch', 'train loss', 'train acc', 'test loss', 'test acc', 'time', 'samples/s'],
    epochs.map((e) => [
      String(e.epoch),
      e.trainLoss.toFixed(4),
      formatPercent(e.trainAccuracy),
      e.testLoss.toFixed(4),
      formatPercent(e.testAccuracy),
      `${e.seconds.toFixed(1)}s`,
      Math.round(e.samplesPerSecond).toLocaleString('en-US'),
    ]),
  );
}

/** Rows = actual class, columns = predicted class, plus per-class recall. */
export function confusionTable(m: ConfusionMatrix, classNames?: readonly string[]): string {
  const n = m.length;
  const header = ['actual\\pred', ...Array.from({ length: n }, (_, j) => String(j)), 'recall'];
  const rows = m.map((row, i) => {
    const total = row.reduce((a, b) => a + b, 0);
    const label = classNames?.[i] !== undefined ? `${i} ${classNames[i]}` : String(i);
    return [label, ...row.map(String), total === 0 ? '-' : formatPercent(row[i]! / total, 1)];
  });
  return textTable(header, rows);
}

export function accuracyOf(m: ConfusionMatrix): number {
  let correct = 0;
  let total = 0;
  m.forEach((row, i) => {
    row.forEach((v, j) => {
      total += v;
      if (i === j) correct += v;
    });
  });
  return total === 0 ? 0 : correct / total;
}

// ------------------------------------------------------------------ SVG chart

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function niceMax(v: number): number {
  if (!(v > 0) || !Number.isFinite(v)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

interface Series {
  name: string;
  color: string;
  values: number[];
  dashed?: boolean;
}

function panel(
  x0: number,
  y0: number,
  w: number,
  h: number,
  title: string,
  xs: number[],
  series: Series[],
  yMin: number,
  yMax: number,
  yFmt: (v: number) => string,
): string {
  const out: string[] = [];
  const px = (i: number): number =>
    x0 + (xs.length <= 1 ? w / 2 : ((xs[i]! - xs[0]!) / (xs[xs.length - 1]! - xs[0]!)) * w);
  const py = (v: number): number => y0 + h - ((Math.min(Math.max(v, yMin), yMax) - yMin) / (yMax - yMin)) * h;
  out.push(
    `<text x="${x0 + w / 2}" y="${y0 - 12}" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
  );
  out.push(`<rect x="${x0}" y="${y0}" width="${w}" height="${h}" fill="none" stroke="#999"/>`);
  for (let k = 0; k <= 4; k++) {
    const v = yMin + ((yMax - yMin) * k) / 4;
    const y = py(v);
    out.push(`<line x1="${x0}" x2="${x0 + w}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" stroke="#eee"/>`);
    out.push(
      `<text x="${x0 - 6}" y="${(y + 4).toFixed(1)}" text-anchor="end" font-size="11">${escapeXml(yFmt(v))}</text>`,
    );
  }
  xs.forEach((x, i) => {
    out.push(`<text x="${px(i).toFixed(1)}" y="${y0 + h + 16}" text-anchor="middle" font-size="11">${x}</text>`);
  });
  out.push(`<text x="${x0 + w / 2}" y="${y0 + h + 32}" text-anchor="middle" font-size="12">epoch</text>`);
  series.forEach((s, si) => {
    const pts = s.values.map((v, i) => `${px(i).toFixed(1)},${py(v).toFixed(1)}`);
    out.push(
      `<polyline fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''} points="${pts.join(' ')}"/>`,
    );
    for (const p of pts) {
      const [cx, cy] = p.split(',');
      out.push(`<circle cx="${cx}" cy="${cy}" r="3" fill="${s.color}"/>`);
    }
    // Legend under the panel, so it never covers a curve.
    const lx = x0 + si * 110;
    const ly = y0 + h + 52;
    out.push(
      `<line x1="${lx}" x2="${lx + 24}" y1="${ly - 4}" y2="${ly - 4}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
    );
    out.push(`<text x="${lx + 30}" y="${ly}" font-size="11">${escapeXml(s.name)}</text>`);
  });
  return out.join('\n');
}

/** Two panels side by side: loss (train/test) and accuracy (train/test) per epoch. */
export function chartSvg(epochs: readonly EpochRecord[], title: string): string {
  const W = 900;
  const H = 400;
  const xs = epochs.map((e) => e.epoch);
  const lossMax = niceMax(Math.max(...epochs.flatMap((e) => [e.trainLoss, e.testLoss]).filter(Number.isFinite), 0));
  const accs = epochs.flatMap((e) => [e.trainAccuracy, e.testAccuracy]);
  const accMin = Math.max(0, Math.floor((Math.min(...accs, 1) - 0.02) * 20) / 20);
  const body = [
    panel(
      70,
      60,
      330,
      250,
      'loss',
      xs,
      [
        { name: 'train', color: '#1f77b4', values: epochs.map((e) => e.trainLoss) },
        { name: 'test', color: '#ff7f0e', values: epochs.map((e) => e.testLoss), dashed: true },
      ],
      0,
      lossMax,
      (v) => v.toFixed(2),
    ),
    panel(
      530,
      60,
      330,
      250,
      'accuracy',
      xs,
      [
        { name: 'train', color: '#1f77b4', values: epochs.map((e) => e.trainAccuracy) },
        { name: 'test', color: '#ff7f0e', values: epochs.map((e) => e.testAccuracy), dashed: true },
      ],
      accMin,
      1,
      (v) => `${(v * 100).toFixed(1)}%`,
    ),
  ];
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="16">${escapeXml(title)}</text>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

// ------------------------------------------------------------------ HTML report

export interface ReportInput {
  title: string;
  /** Run configuration (model, backend, engine, epochs, lr, ...), shown as a key/value table. */
  config: Record<string, string | number | boolean>;
  epochs: readonly EpochRecord[];
  testAccuracy: number;
  confusion: ConfusionMatrix;
  classNames?: readonly string[];
  svg: string;
  dataDescription: string;
}

function htmlTable(header: string[], rows: (string | number)[][]): string {
  const th = header.map((h) => `<th>${escapeXml(h)}</th>`).join('');
  const trs = rows.map((r) => `<tr>${r.map((c) => `<td>${escapeXml(String(c))}</td>`).join('')}</tr>`).join('\n');
  return `<table>\n<thead><tr>${th}</tr></thead>\n<tbody>\n${trs}\n</tbody>\n</table>`;
}

/** One HTML file with no external resources: the SVG is inlined. */
export function htmlReport(r: ReportInput): string {
  const config = htmlTable(
    ['setting', 'value'],
    Object.entries(r.config).map(([k, v]) => [k, String(v)]),
  );
  const epochs = htmlTable(
    ['epoch', 'train loss', 'train acc', 'test loss', 'test acc', 'seconds', 'samples/s'],
    r.epochs.map((e) => [
      e.epoch,
      e.trainLoss.toFixed(4),
      formatPercent(e.trainAccuracy),
      e.testLoss.toFixed(4),
      formatPercent(e.testAccuracy),
      e.seconds.toFixed(1),
      Math.round(e.samplesPerSecond),
    ]),
  );
  const n = r.confusion.length;
  const maxOff = Math.max(1, ...r.confusion.flatMap((row, i) => row.filter((_, j) => j !== i)));
  const cm = [
    '<table class="cm">',
    `<thead><tr><th>actual \\ predicted</th>${Array.from({ length: n }, (_, j) => `<th>${j}</th>`).join('')}<th>recall</th></tr></thead>`,
    '<tbody>',
    ...r.confusion.map((row, i) => {
      const total = row.reduce((a, b) => a + b, 0);
      const cells = row
        .map((v, j) => {
          const bg =
            i === j ? '#d4edda' : v === 0 ? 'white' : `rgba(220,53,69,${(0.15 + 0.6 * (v / maxOff)).toFixed(2)})`;
          return `<td style="background:${bg}">${v}</td>`;
        })
        .join('');
      const label = r.classNames?.[i] !== undefined ? `${i} ${r.classNames[i]}` : String(i);
      return `<tr><th>${escapeXml(label)}</th>${cells}<td>${total === 0 ? '-' : formatPercent(row[i]! / total, 1)}</td></tr>`;
    }),
    '</tbody>',
    '</table>',
  ].join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeXml(r.title)}</title>
<style>
body { font-family: sans-serif; margin: 2em auto; max-width: 960px; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: right; }
th { background: #f4f4f4; }
.big { font-size: 1.6em; }
</style>
</head>
<body>
<h1>${escapeXml(r.title)}</h1>
<p class="big">Test accuracy: <b>${formatPercent(r.testAccuracy)}</b></p>
<p>${escapeXml(r.dataDescription)}</p>
<h2>Training curves</h2>
${r.svg}
<h2>Per-epoch results</h2>
${epochs}
<h2>Confusion matrix (test set)</h2>
${cm}
<h2>Run configuration</h2>
${config}
<p><small>Generated by @flint/mnist on ${new Date().toISOString()}</small></p>
</body>
</html>
`;
}
