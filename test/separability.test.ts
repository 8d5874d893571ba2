import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runSeparability } from '../src/apps/separability.js';

test('main job: a linear model cannot separate moons or XOR, one hidden ReLU layer can', () => {
  const results = runSeparability({ seed: 0, steps: 1500 });
  const byName = Object.fromEntries(results.map((r) => [r.dataset, r]));
  // Moons: the best line gets about 88%; XOR: at most about 75%.
  assert.ok(byName['two moons'].linearTest < 0.92, `linear on moons: ${byName['two moons'].linearTest}`);
  assert.ok(byName['XOR'].linearTest < 0.8, `linear on XOR: ${byName['XOR'].linearTest}`);
  assert.ok(byName['two moons'].hiddenTest > 0.97, `hidden layer on moons: ${byName['two moons'].hiddenTest}`);
  assert.ok(byName['XOR'].hiddenTest > 0.95, `hidden layer on XOR: ${byName['XOR'].hiddenTest}`);
});
