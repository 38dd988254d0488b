import { describe, expect, it } from 'vitest';
import {
  accuracyOf,
  chartSvg,
  confusionMatrix,
  confusionTable,
  epochTable,
  htmlReport,
  type EpochRecord,
} from './report.js';

const epochs: EpochRecord[] = [1, 2, 3].map((e) => ({
  epoch: e,
  trainLoss: 1 / e,
  trainAccuracy: 0.8 + e / 100,
  testLoss: 1.1 / e,
  testAccuracy: 0.79 + e / 100,
  seconds: 1.5,
  samplesPerSecond: 6666,
}));

describe('report', () => {
  it('confusion matrix counts actual x predicted', () => {
    const m = confusionMatrix([0, 1, 1, 2], [0, 1, 2, 2], 3);
    expect(m).toEqual([
      [1, 0, 0],
      [0, 1, 1],
      [0, 0, 1],
    ]);
    expect(accuracyOf(m)).toBe(0.75);
    expect(confusionTable(m)).toContain('50.0%');
  });

  it('tables, SVG and HTML contain the numbers', () => {
    expect(epochTable(epochs)).toContain('82.00%');
    const svg = chartSvg(epochs, 'a <title>');
    expect(svg).toContain('a &lt;title&gt;');
    expect(svg.match(/<polyline/g)).toHaveLength(4);
    const html = htmlReport({
      title: 't',
      config: { engine: 'typed-arrays' },
      epochs,
      testAccuracy: 0.82,
      confusion: confusionMatrix([0], [0], 10),
      svg,
      dataDescription: 'd',
    });
    expect(html).toContain('82.00%');
    expect(html).toContain(svg.trim());
    expect(html).toContain('typed-arrays');
  });
});
