/**
 * Command-line parsing shared by the commands: options by `node:util`'s `parseArgs`, number
 * checks with messages that name the flag, and errors that print as one line (no stack trace).
 * @module
 */
import { parseArgs } from 'node:util';

/** An error meant for the user: printed as `glubina <command>: <message>`, exiting with `exitCode`. */
export class CliError extends Error {
  /** 2 for a usage error (bad flags), 1 otherwise. */
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** One option of a command: its type, and the help text. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** Placeholder shown in the help, e.g. 'N' (strings only). */
  arg?: string;
  help: string;
}

/** A command's options by long name (kebab-case, as typed). */
export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

/** Parsed arguments: option values by long name, and the positionals. */
export interface ParsedArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/**
 * Parses `argv` against `specs` (unknown flags and missing values are usage errors). `--help`
 * is always accepted.
 */
export function parseCommand(command: string, argv: readonly string[], specs: OptionSpecs): ParsedArgs {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = { help: { type: 'boolean', short: 'h' } };
  for (const [name, s] of Object.entries(specs)) options[name] = s.short ? { type: s.type, short: s.short } : { type: s.type };
  try {
    const { values, positionals } = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
    return { values: values as Record<string, string | boolean | undefined>, positionals };
  } catch (e) {
    // parseArgs' messages are clear but long; keep their first sentence.
    const msg = (e as Error).message.split('\n')[0].split('. ')[0].replace(/\.$/, '');
    throw new CliError(`${msg} (see 'glubina ${command} --help')`, 2);
  }
}

/** The help text of a command: usage line, description, options. */
export function helpText(usage: string, description: string, specs: OptionSpecs): string {
  const rows = Object.entries(specs).map(([name, s]) => {
    const flag = `${s.short ? `-${s.short}, ` : ''}--${name}${s.type === 'string' ? ` ${s.arg ?? 'VALUE'}` : ''}`;
    return [flag, s.help] as const;
  });
  rows.push(['-h, --help', 'show this help']);
  const width = Math.max(...rows.map(([f]) => f.length));
  return `usage: ${usage}\n\n${description}\n\noptions:\n${rows.map(([f, h]) => `  ${f.padEnd(width)}  ${h}`).join('\n')}\n`;
}

function raw(values: ParsedArgs['values'], name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

/** A string option, or undefined. */
export function stringOpt(values: ParsedArgs['values'], name: string): string | undefined {
  return raw(values, name);
}

/** An integer option ≥ `min`, or undefined; throws a usage error naming the flag. */
export function intOpt(values: ParsedArgs['values'], name: string, min = 1): number | undefined {
  const s = raw(values, name);
  if (s === undefined) return undefined;
  const v = Number(s);
  if (!/^[+-]?\d+$/.test(s.trim()) || !Number.isSafeInteger(v) || v < min) {
    throw new CliError(`--${name} must be an integer ≥ ${min}, got '${s}'`, 2);
  }
  return v;
}

/** A finite number option (optionally > 0), or undefined; throws a usage error naming the flag. */
export function numberOpt(values: ParsedArgs['values'], name: string, options: { positive?: boolean; min?: number } = {}): number | undefined {
  const s = raw(values, name);
  if (s === undefined) return undefined;
  const v = Number(s);
  if (s.trim() === '' || !Number.isFinite(v)) throw new CliError(`--${name} must be a number, got '${s}'`, 2);
  if (options.positive && !(v > 0)) throw new CliError(`--${name} must be positive, got ${s}`, 2);
  if (options.min !== undefined && v < options.min) throw new CliError(`--${name} must be ≥ ${options.min}, got ${s}`, 2);
  return v;
}

/** A string option restricted to `choices`, or undefined. */
export function choiceOpt<T extends string>(values: ParsedArgs['values'], name: string, choices: readonly T[]): T | undefined {
  const s = raw(values, name);
  if (s === undefined) return undefined;
  if (!(choices as readonly string[]).includes(s)) throw new CliError(`--${name} must be one of ${choices.join(', ')}, got '${s}'`, 2);
  return s as T;
}

/** A boolean flag (false when absent). */
export function flag(values: ParsedArgs['values'], name: string): boolean {
  return values[name] === true;
}

/** Thousands separators: 61706 → '61,706'. */
export function thousands(n: number): string {
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A percentage with two decimals: 0.99123 → '99.12%'. */
export function percent(v: number): string {
  return `${(100 * v).toFixed(2)}%`;
}
