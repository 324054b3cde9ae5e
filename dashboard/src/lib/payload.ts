// Payload views for the message browser and retained messages: the API sends
// bytes as text (valid UTF-8) or base64; the UI shows them as text, JSON or hex.
import type { Encoding } from '../api/types';

export function toBytes(data: string | null, encoding: Encoding): Uint8Array {
  if (data === null) return new Uint8Array();
  if (encoding === 'base64') {
    const bin = atob(data);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }
  return new TextEncoder().encode(data);
}

/** The bytes as text when they are UTF-8, else null. */
export function asText(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

/** Pretty-printed JSON when the text parses as JSON, else null. */
export function asJson(text: string | null): string | null {
  if (text === null) return null;
  const t = text.trim();
  if (!t || !'{["-0123456789tfn'.includes(t[0])) return null;
  try {
    return JSON.stringify(JSON.parse(t), null, 2);
  } catch {
    return null;
  }
}

/** A hex dump: offset, 16 bytes in hex, and their printable ASCII. */
export function hexDump(bytes: Uint8Array): string {
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += 16) {
    const chunk = Array.from(bytes.subarray(i, i + 16));
    const hex = chunk.map((b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = chunk.map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${i.toString(16).padStart(8, '0')}  ${hex.padEnd(47)}  ${ascii}`);
  }
  return lines.join('\n');
}

export type PayloadMode = 'text' | 'json' | 'hex';

/** The view a payload opens in: JSON if it is JSON, text if UTF-8, else hex. */
export function defaultMode(bytes: Uint8Array): PayloadMode {
  const text = asText(bytes);
  if (text === null) return 'hex';
  return asJson(text) !== null ? 'json' : 'text';
}
