// The stand-in is part of the product (`talki dev telegram-stand-in`); tests use the same one.
export * from '../../src/dev/telegram-stand-in.js';
