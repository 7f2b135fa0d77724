declare module 'get-nonce' {
  export function setNonce(nonce: string): void;
}
