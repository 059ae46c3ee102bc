/**
 * Lower-case hex SHA-256 through Web Crypto, which Node, workerd and browsers all provide.
 *
 * @example
 * await sha256Hex(new TextEncoder().encode('abc')); // 'ba7816bf...'
 */
export async function sha256Hex(bytes: ArrayBuffer | Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
