import { runConformance } from '@flint/conformance';
import { cpuBackend } from './index.js';

runConformance({ backend: () => cpuBackend, expectedEngine: 'typed-arrays', ops: true });
