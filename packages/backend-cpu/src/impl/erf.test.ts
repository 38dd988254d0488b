import { describe, expect, it } from 'vitest';
import { erf64, erfc64, gelu64 } from './erf.js';
import { erf, gelu } from './unary.js';
import { expectClose } from './test-reference.js';

// [x, erf(x), erfc(x)] computed with mpmath at 40 digits.
const ERF_TABLE: [number, number, number][] = [
  [0, 0.0, 1.0],
  [1e-10, 1.128379167095512615e-10, 0.99999999988716208329],
  [1e-5, 0.000011283791670579000273, 0.999988716208329421],
  [0.001, 0.0011283787909692364034, 0.9988716212090307636],
  [0.1, 0.1124629160182848984, 0.8875370839817151016],
  [0.3, 0.32862675945912741619, 0.67137324054087258381],
  [0.5, 0.52049987781304653768, 0.47950012218695346232],
  [0.8, 0.74210096470766051259, 0.25789903529233948741],
  [1, 0.84270079294971486934, 0.15729920705028513066],
  [1.5, 0.96610514647531072707, 0.033894853524689272933],
  [2, 0.99532226501895273416, 0.0046777349810472658379],
  [2.4999, 0.99959283009966654862, 0.00040716990033345138112],
  [2.5, 0.99959304798255504106, 0.00040695201744495893956],
  [2.7, 0.99986566726005947581, 0.00013433273994052419237],
  [3, 0.99997790950300141456, 0.000022090496998585441373],
  [3.5, 0.99999925690162765859, 7.4309837234141274552e-7],
  [4, 0.99999998458274209972, 1.5417257900280018852e-8],
  [5, 0.99999999999846254021, 1.5374597944280348502e-12],
  [6, 0.99999999999999997848, 2.1519736712498913117e-17],
  [-0.5, -0.52049987781304653768, 1.5204998778130465377],
  [-2.6, -0.99976396558347065091, 1.9997639655834706509],
  [-4, -0.99999998458274209972, 1.9999999845827420997],
];

// [x, x * Phi(x)] computed with mpmath.
const GELU_TABLE: [number, number][] = [
  [-10.0, -7.619853024160526066e-23],
  [-5.0, -1.4332578593959695584e-6],
  [-3.0, -0.00404969409489028358],
  [-1.0, -0.15865525393145705141],
  [-0.5, -0.15426876936299344818],
  [-0.001, -0.00049960105778608894781],
  [0.0, 0.0],
  [0.001, 0.00050039894221391107301],
  [0.5, 0.34573123063700655182],
  [1.0, 0.84134474606854294859],
  [3.0, 2.9959503059051097164],
  [5.0, 4.999998566742140604],
];

describe('erf / erfc (float64)', () => {
  it('match mpmath: erf to ~1e-14 relative, erfc to 1e-13 (1e-11 below 2.5, where it is 1 - erf)', () => {
    for (const [x, e, ec] of ERF_TABLE) {
      expect(Math.abs(erf64(x) - e)).toBeLessThanOrEqual(1e-14 * Math.abs(e));
      expect(Math.abs(erfc64(x) - ec)).toBeLessThanOrEqual((Math.abs(x) < 2.5 ? 1e-11 : 1e-13) * Math.abs(ec));
    }
  });
  it('is odd, saturates, and propagates NaN', () => {
    for (const x of [0.2, 1.7, 2.5, 3.3, 7]) expect(erf64(-x)).toBe(-erf64(x));
    expect(erf64(Infinity)).toBe(1);
    expect(erf64(-Infinity)).toBe(-1);
    expect(erfc64(40)).toBe(0);
    expect(Number.isNaN(erf64(NaN))).toBe(true);
  });
  it('is continuous at the series / continued-fraction switch', () => {
    // erf'(2.5) = 2/sqrt(pi) * exp(-6.25)
    const slope = (2 / Math.sqrt(Math.PI)) * Math.exp(-6.25);
    expect(Math.abs(erf64(2.5) - erf64(2.5 - 1e-9) - slope * 1e-9)).toBeLessThan(1e-15);
  });
});

describe('erf and exact gelu kernels (float32)', () => {
  it('erf', () => {
    const x = new Float32Array(ERF_TABLE.map(([v]) => v));
    expectClose(
      erf(x),
      ERF_TABLE.map(([v]) => Math.fround(erf64(Math.fround(v)))),
      0,
      0,
    );
    expectClose(
      erf(x),
      ERF_TABLE.map(([, e]) => e),
      2e-7,
      1e-45,
    );
  });
  it('gelu is the exact erf form, accurate even for large negative x', () => {
    const x = new Float32Array(GELU_TABLE.map(([v]) => v));
    expectClose(
      gelu(x),
      GELU_TABLE.map(([, g]) => g),
      2e-7,
      1e-45,
    );
    expect(gelu64(-40)).toBe(-0);
  });
});
