/**
 * Registers the reference TypeScript backend as `'js'`.
 * @module
 */
import { registerBackend } from '../../core/backend.js';
import { JsBackend } from './backend.js';

registerBackend('js', () => new JsBackend());

export { JsBackend };
