/**
 * The main job (`npm start`, or `glubina` with no command): LeNet-5 trained on MNIST with the
 * default recipe, reaching ≥ 99.0% test accuracy; weights, checkpoint, metrics and curves go to
 * runs/mnist-lenet/.
 * @module
 */
import { trainCommand } from './train.js';

/** The main job's output folder. */
export const MAIN_JOB_OUT = 'runs/mnist-lenet';

/** Runs the main job. Returns the exit code. */
export async function mainJobCommand(): Promise<number> {
  console.log('glubina main job: LeNet-5 on MNIST, target ≥ 99.0% test accuracy');
  console.log("(the toy two-moons demo is 'glubina demo'; 'glubina --help' lists the commands)\n");
  return trainCommand(['mnist', '--model', 'lenet', '--out', MAIN_JOB_OUT]);
}
