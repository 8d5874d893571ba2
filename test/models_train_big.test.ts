/**
 * Forward and backward of the biggest models (VGG-16/19 with and without batch norm, ResNet-101 and
 * ResNet-152), split from models_train.test.ts to keep each file short.
 */
import { describe } from 'node:test';
import { BIG_CASES, forwardBackwardTests } from './models_helpers.js';

describe('forward and backward of the biggest models (batch 2, training mode)', () => forwardBackwardTests(BIG_CASES));
