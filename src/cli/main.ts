#!/usr/bin/env node
/**
 * The `glubina` command line. With no command it runs the main job.
 * @module
 */
import '../index.js';
import { runSeparability } from '../apps/separability.js';

function pct(v: number): string {
  return `${(100 * v).toFixed(1)}%`;
}

function mainJob(): void {
  const t0 = performance.now();
  console.log('glubina: can a straight line separate these points? (test accuracy, 400 held-out points)\n');
  console.log('data set    linear model   one hidden ReLU layer (32 units)');
  for (const r of runSeparability()) {
    console.log(`${r.dataset.padEnd(11)} ${pct(r.linearTest).padStart(12)}   ${pct(r.hiddenTest).padStart(10)}`);
  }
  console.log(`\nA linear model cannot separate them; one hidden layer can. (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}

const [command] = process.argv.slice(2);
if (command === undefined || command === 'demo') {
  mainJob();
} else {
  console.error(`glubina: unknown command '${command}'. Commands: demo`);
  process.exit(2);
}
