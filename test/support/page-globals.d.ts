/**
 * Functions handed to page.evaluate() run in Chromium, but the tests are type-checked for Node
 * (no DOM lib: it clashes with Node's own fetch and stream types). These are the few page
 * globals the browser tests read.
 */
declare const document: {
  activeElement: unknown;
  documentElement: { scrollWidth: number };
};
declare const localStorage: { getItem(key: string): string | null };
declare const navigator: { clipboard: { readText(): Promise<string> } };
declare function getComputedStyle(element: unknown): { backgroundColor: string };
