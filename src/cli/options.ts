import { UsageError } from './usage.js';

export type Options = Record<string, string | boolean | undefined>;

export function requireString(options: Options, name: string): string {
  const value = options[name];
  if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`--${name} is required`);
  return value.trim();
}

export function optionalString(options: Options, name: string): string | undefined {
  const value = options[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`--${name} needs a value`);
  return value.trim();
}

export function oneOf<T extends string>(
  options: Options,
  name: string,
  allowed: readonly T[],
  fallback: T,
): T {
  const value = optionalString(options, name) ?? fallback;
  if (!allowed.includes(value as T)) throw new UsageError(`--${name} must be one of: ${allowed.join(', ')}`);
  return value as T;
}

export function optionalInteger(
  options: Options,
  name: string,
  min: number,
  max: number,
): number | undefined {
  const raw = optionalString(options, name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}`);
  }
  return value;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function email(value: string, name: string): string {
  if (!EMAIL.test(value)) throw new UsageError(`--${name} must be an email address`);
  return value;
}
